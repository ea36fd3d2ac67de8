/**
 * Building a SeekIndex: one pass over the frame headers with ranged reads. Three phases, each its
 * own function: where the audio starts (tags, the Xing/Info/VBRI frame, the first confirmed frame),
 * the scan that records every frame's offset, and the index assembled from what the scan found.
 */
import { ClipError } from "../errors.js";
import { ScanWindow, readExact, type ByteSource } from "./byte-source.js";
import { parseFrameHeader, sameStream, type FrameHeader } from "./frame-header.js";
import { findSync, freeFormatAt, headerFrameAt } from "./frame-sync.js";
import { id3v2TagLength } from "./id3.js";
import {
  INDEX_FORMAT_VERSION,
  defaultStride,
  type BuildIndexOptions,
  type IndexJump,
  type SeekIndex,
} from "./seek-index.js";
import { tailTagsLength } from "./tail-tags.js";
import type { XingHeader } from "./xing.js";

function unprocessable(message: string): ClipError {
  return new ClipError("unprocessable_source", message);
}

/** A growable Float64Array: a 60-minute file has ~138k frames, too many for a plain number[] to be cheap. */
class OffsetList {
  private data = new Float64Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i] ?? NaN;
  }
}

interface AudioStart {
  /** Offset of the first audio frame (after the header frame, if any). */
  offset: number;
  /** The stream every later frame must match. */
  like: FrameHeader;
  headerFrame: SeekIndex["headerFrame"];
  xing: XingHeader | null;
}

interface FrameScan {
  offsets: OffsetList;
  jumps: IndexJump[];
  minKbps: number;
  maxKbps: number;
  /** End of the last whole frame. */
  audioEnd: number;
}

/** Offset just past the ID3v2 tags at the start; tags are skipped by their declared length, never read. */
async function leadingTagsEnd(source: ByteSource): Promise<number> {
  let pos = 0;
  while (pos + 10 <= source.size) {
    const tagLength = id3v2TagLength(await readExact(source, pos, pos + 10));
    if (tagLength === null) break;
    pos += tagLength;
  }
  return pos;
}

async function locateAudio(w: ScanWindow, pos: number, end: number, maxJunk: number): Promise<AudioStart> {
  // FFmpeg reads the Xing/Info/LAME frame exactly where the tags end, without asking the next header to
  // confirm it: so must the index, or a damaged first audio frame would hide the Info frame and its
  // encoder delay, and every clip would start 25 ms early against FFmpeg's decode of the source.
  const freeFormat = await freeFormatAt(w, pos);
  let tagged = await headerFrameAt(w, pos, end);
  const first = tagged
    ? { offset: tagged.offset, header: tagged.header }
    : await findSync(w, pos, end, null, 2, maxJunk);
  if (!first) {
    if (pos === end) throw unprocessable("the file is an ID3 tag and no audio");
    throw unprocessable(
      freeFormat
        ? "free-format MPEG audio (no bitrate in its frame headers) cannot be indexed"
        : "no MPEG audio frames found",
    );
  }
  // Junk before a confirmed Info frame: still the header frame (FFmpeg would miss it).
  tagged ??= await headerFrameAt(w, first.offset, end);
  const like = first.header;
  if (!tagged) return { offset: first.offset, like, headerFrame: null, xing: null };
  // Resynchronise after the header frame the way FFmpeg does (a header confirmed by the next one).
  const audio = await findSync(w, first.offset + like.frameLength, end, like, 1, maxJunk);
  if (!audio) throw unprocessable("no MPEG audio frames after the header frame");
  return { offset: audio.offset, like, headerFrame: tagged.headerFrame, xing: tagged.xing };
}

/** Records every frame of the stream from `start`, skipping junk and mid-stream ID3v2 tags. */
async function scanFrames(w: ScanWindow, start: number, end: number, like: FrameHeader): Promise<FrameScan> {
  const scan: FrameScan = { offsets: new OffsetList(), jumps: [], minKbps: Infinity, maxKbps: 0, audioEnd: start };
  let p = start;
  while (p + 4 <= end) {
    w.release(p);
    if (!w.has(p, 4) && !(await w.ensure(p, 4))) break;
    const h = parseFrameHeader(w.bytes, p - w.start);
    if (h && sameStream(h, like) && p + h.frameLength <= end) {
      if (p !== scan.audioEnd) scan.jumps.push({ frame: scan.offsets.length, offset: p });
      scan.offsets.push(p);
      scan.minKbps = Math.min(scan.minKbps, h.bitrateKbps);
      scan.maxKbps = Math.max(scan.maxKbps, h.bitrateKbps);
      scan.audioEnd = p + h.frameLength;
      p = scan.audioEnd;
      continue;
    }
    if (await w.ensure(p, 10)) {
      const tagLength = id3v2TagLength(w.bytes, p - w.start);
      if (tagLength !== null) {
        p += tagLength;
        continue;
      }
    }
    const found = await findSync(w, p + 1, end, like, 1, Infinity);
    if (!found) break;
    p = found.offset;
  }
  if (scan.offsets.length === 0) throw unprocessable("no MPEG audio frames after the header frame");
  return scan;
}

function assembleIndex(sourceSize: number, audio: AudioStart, scan: FrameScan, options: BuildIndexOptions): SeekIndex {
  const { like, xing } = audio;
  const frameCount = scan.offsets.length;
  const stride = options.stride ?? defaultStride(frameCount);
  const checkpoints = new Float64Array(Math.ceil(frameCount / stride));
  for (let i = 0; i < checkpoints.length; i++) checkpoints[i] = scan.offsets.at(i * stride);
  const lame = xing?.lame ?? null;
  // A file cut short (the Xing header promises more frames than exist): the LAME padding belongs to
  // the last promised frame, and FFmpeg trims it only from there, so only what reaches the last frame
  // present is kept. FFmpeg skips a partial last frame, and so does the scan (p + frameLength <= end).
  const promised = xing?.frames ?? frameCount;
  const missingSamples = Math.max(0, promised - frameCount) * like.samplesPerFrame;
  return {
    formatVersion: INDEX_FORMAT_VERSION,
    sourceSize,
    sourceTag: options.sourceTag ?? "",
    version: like.version,
    layer: like.layer,
    sampleRate: like.sampleRate,
    samplesPerFrame: like.samplesPerFrame,
    channels: like.channels,
    minBitrateKbps: scan.minKbps,
    maxBitrateKbps: scan.maxKbps,
    headerFrame: audio.headerFrame,
    gapless: lame?.gapless
      ? { encoderDelay: lame.encoderDelay, encoderPadding: Math.max(0, lame.encoderPadding - missingSamples) }
      : null,
    lame: lame && {
      encoderBytes: lame.encoderBytes,
      revisionAndMethod: lame.revisionAndMethod,
      lowpass: lame.lowpass,
      encodingFlags: lame.encodingFlags,
      bitrate: lame.bitrate,
      misc: lame.misc,
      presetAndSurround: lame.presetAndSurround,
    },
    xingQuality: xing?.quality ?? null,
    audioStart: scan.offsets.at(0),
    audioEnd: scan.audioEnd,
    frameCount,
    stride,
    checkpoints,
    jumps: scan.jumps,
  };
}

/** Scans `source` once and returns its seek index. Throws ClipError unprocessable_source for non-MP3. */
export async function buildSeekIndex(source: ByteSource, options: BuildIndexOptions = {}): Promise<SeekIndex> {
  const size = source.size;
  const pos = await leadingTagsEnd(source);
  if (size === 0) throw unprocessable("the file is 0 bytes");
  if (pos >= size) throw unprocessable("the file is an ID3 tag and no audio");
  const end = size - (await tailTagsLength(source, pos));
  const w = new ScanWindow(source, end, options.chunkSize ?? 2 * 1024 * 1024, options.readAhead ?? 1);
  try {
    const audio = await locateAudio(w, pos, end, options.maxLeadingJunk ?? 1024 * 1024);
    const scan = await scanFrames(w, audio.offset, end, audio.like);
    return assembleIndex(size, audio, scan, options);
  } finally {
    await w.settle();
  }
}
