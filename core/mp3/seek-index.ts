/**
 * The per-episode seek index: built once by scanning every frame header with ranged reads, then
 * used to turn a time into the byte offset of the frame that holds it, exactly, for CBR and VBR.
 *
 * It keeps the offset of every `stride`-th frame (a checkpoint) plus the rare frames that do not
 * start where the previous one ended (junk, mid-stream tags). A cut reads from the checkpoint before
 * its first frame to the checkpoint after its last, then walks the frame headers inside those bytes:
 * at most 2 × stride frames more than the clip, with no second request. See index-codec.ts for why
 * this beats storing every frame size.
 */
import { ClipError } from "../errors.js";
import { ScanWindow, readExact, type ByteSource } from "./byte-source.js";
import { parseFrameHeader, sameStream, type FrameHeader, type MpegLayer, type MpegVersion } from "./frame-header.js";
import { ID3V1_LENGTH, id3v2TagLength, isId3v1 } from "./id3.js";
import { readVbri, readXing, type LameTag, type XingHeader } from "./xing.js";

export const INDEX_FORMAT_VERSION = 1;
/** Samples every Layer III decoder outputs before the first encoded sample (FFmpeg's 528 + 1). */
export const DECODER_DELAY = 529;

export interface IndexJump {
  frame: number;
  offset: number;
}

export interface SeekIndex {
  formatVersion: number;
  sourceSize: number;
  /** Caller's identity of the source version (e.g. S3 ETag); "" when not given. */
  sourceTag: string;
  version: MpegVersion;
  layer: MpegLayer;
  sampleRate: number;
  samplesPerFrame: number;
  channels: 1 | 2;
  minBitrateKbps: number;
  maxBitrateKbps: number;
  /** The Xing/Info/VBRI frame before the audio, which players skip. */
  headerFrame: { kind: "Xing" | "Info" | "VBRI"; offset: number; length: number } | null;
  /** LAME tag delay/padding that FFmpeg applies to this file; null when it plays raw frames. */
  gapless: { encoderDelay: number; encoderPadding: number } | null;
  /** Encoder fields copied into clip LAME tags (null without a LAME tag). */
  lame: Pick<
    LameTag,
    "encoderBytes" | "revisionAndMethod" | "lowpass" | "encodingFlags" | "bitrate" | "misc" | "presetAndSurround"
  > | null;
  xingQuality: number | null;
  /** Offset of the first audio frame and end of the last one. */
  audioStart: number;
  audioEnd: number;
  frameCount: number;
  stride: number;
  /** Offsets of frames 0, stride, 2 × stride, … */
  checkpoints: Float64Array;
  /** Frames that start after skipped bytes, ascending by frame. */
  jumps: IndexJump[];
}

export interface BuildIndexOptions {
  /** Bytes per ranged read (default 2 MiB). */
  chunkSize?: number;
  /** Reads kept in flight ahead of the parser (default 1). */
  readAhead?: number;
  /** Checkpoint spacing in frames (default: 16, more for very long files so the index stays ~16 KB). */
  stride?: number;
  sourceTag?: string;
  /** How far past the tags to look for the first frame before giving up (default 1 MiB). */
  maxLeadingJunk?: number;
}

/** Raised when the bytes at an indexed position are not the frame the index says: rebuild the index. */
export class IndexMismatchError extends ClipError {
  constructor(message: string) {
    super("internal", `seek index does not match the audio (stale index?): ${message}`);
  }
}

export function defaultStride(frameCount: number): number {
  return Math.min(65535, Math.max(16, Math.ceil(frameCount / 8192)));
}

/** Source-timeline sample 0 sits at this decoded-sample index (what FFmpeg trims at the start). */
export function timelineOffset(index: SeekIndex): number {
  return index.gapless ? index.gapless.encoderDelay + DECODER_DELAY : 0;
}

/** Samples FFmpeg outputs for the whole file, gapless trimming applied. */
export function totalSamples(index: SeekIndex): number {
  const decoded = index.frameCount * index.samplesPerFrame;
  if (!index.gapless) return decoded;
  const end = Math.min(decoded, decoded - index.gapless.encoderPadding + DECODER_DELAY);
  return Math.max(0, end - timelineOffset(index));
}

export function durationMs(index: SeekIndex): number {
  return (totalSamples(index) * 1000) / index.sampleRate;
}

/** The frame whose decoded output holds source-timeline sample `sample`. */
export function frameForSample(index: SeekIndex, sample: number): number {
  return Math.floor((sample + timelineOffset(index)) / index.samplesPerFrame);
}

function unprocessable(message: string): ClipError {
  return new ClipError("unprocessable_source", message);
}

async function tailTagsLength(source: ByteSource, audioStart: number): Promise<number> {
  const n = Math.min(source.size - audioStart, ID3V1_LENGTH + 32);
  if (n < 32) return 0;
  const tail = await readExact(source, source.size - n, source.size);
  let cut = 0;
  if (n >= ID3V1_LENGTH && isId3v1(tail.subarray(n - ID3V1_LENGTH))) cut = ID3V1_LENGTH;
  const apeAt = n - cut - 32;
  if (apeAt >= 0 && String.fromCharCode(...tail.subarray(apeAt, apeAt + 8)) === "APETAGEX") {
    const dv = new DataView(tail.buffer, tail.byteOffset + apeAt, 32);
    const hasHeader = (dv.getUint32(20, true) & 0x80000000) !== 0;
    cut += dv.getUint32(12, true) + (hasHeader ? 32 : 0);
  }
  return Math.min(cut, source.size - audioStart);
}

/** Does a chain of `count` more same-stream headers follow (or the audio end exactly)? */
async function confirmChain(w: ScanWindow, at: number, h: FrameHeader, count: number, end: number): Promise<boolean> {
  let p = at + h.frameLength;
  for (let j = 0; j < count; j++) {
    if (p === end) return true;
    if (!(await w.ensure(p, 4))) return false;
    const next = parseFrameHeader(w.bytes, p - w.start);
    if (!next || !sameStream(next, h)) return false;
    p += next.frameLength;
    if (p > end) return false;
  }
  return true;
}

/** Finds the next frame header at or after `from` that a following header confirms. */
async function findSync(
  w: ScanWindow,
  from: number,
  end: number,
  like: FrameHeader | null,
  confirmations: number,
  maxDistance: number,
): Promise<{ offset: number; header: FrameHeader } | null> {
  for (let c = from; c + 4 <= end && c - from <= maxDistance; c++) {
    w.release(c);
    if (!w.has(c, 4) && !(await w.ensure(c, 4))) return null;
    const i = c - w.start;
    const b = w.bytes;
    if (b[i] !== 0xff || ((b[i + 1] ?? 0) & 0xe0) !== 0xe0) continue;
    const h = parseFrameHeader(b, i);
    if (!h || (like && !sameStream(h, like))) continue;
    if (await confirmChain(w, c, h, confirmations, end)) return { offset: c, header: h };
  }
  return null;
}

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

/** A Xing/Info/VBRI frame at exactly `at`, as FFmpeg accepts it (no confirming header needed). */
async function headerFrameAt(
  w: ScanWindow,
  at: number,
  end: number,
): Promise<{
  offset: number;
  header: FrameHeader;
  headerFrame: NonNullable<SeekIndex["headerFrame"]>;
  xing: XingHeader | null;
} | null> {
  if (!(await w.ensure(at, 4))) return null;
  const h = parseFrameHeader(w.bytes, at - w.start);
  if (!h || h.layer !== 3 || at + h.frameLength > end || !(await w.ensure(at, h.frameLength))) return null;
  const frame = w.bytes.subarray(at - w.start, at - w.start + h.frameLength);
  const xing = readXing(frame);
  // Mirror FFmpeg: a tag frame counts as a header only when it carries a frame or byte count.
  if (xing && (xing.frames !== null || xing.bytes !== null)) {
    return { offset: at, header: h, headerFrame: { kind: xing.kind, offset: at, length: h.frameLength }, xing };
  }
  const vbri = xing ? null : readVbri(frame);
  if (vbri && vbri.version === 1 && (vbri.frames > 0 || vbri.bytes > 0)) {
    return { offset: at, header: h, headerFrame: { kind: "VBRI", offset: at, length: h.frameLength }, xing: null };
  }
  return null;
}

/** A free-format frame header at `at` (bitrate index 0), so a refusal can say what it found. */
async function freeFormatAt(w: ScanWindow, at: number): Promise<boolean> {
  if (!(await w.ensure(at, 4))) return false;
  const i = at - w.start;
  const b = w.bytes;
  return (
    b[i] === 0xff &&
    ((b[i + 1] ?? 0) & 0xe0) === 0xe0 &&
    ((b[i + 1] ?? 0) & 0x06) !== 0 &&
    ((b[i + 2] ?? 0) & 0xf0) === 0
  );
}

/** Scans `source` once and returns its seek index. Throws ClipError unprocessable_source for non-MP3. */
export async function buildSeekIndex(source: ByteSource, options: BuildIndexOptions = {}): Promise<SeekIndex> {
  const size = source.size;
  let pos = 0;
  // Tags are skipped by their declared length: a 500 KB cover picture is never downloaded.
  while (pos + 10 <= size) {
    const tagLength = id3v2TagLength(await readExact(source, pos, pos + 10));
    if (tagLength === null) break;
    pos += tagLength;
  }
  if (size === 0) throw unprocessable("the file is 0 bytes");
  if (pos >= size) throw unprocessable("the file is an ID3 tag and no audio");
  const end = size - (await tailTagsLength(source, pos));
  const w = new ScanWindow(source, end, options.chunkSize ?? 2 * 1024 * 1024, options.readAhead ?? 1);
  const maxJunk = options.maxLeadingJunk ?? 1024 * 1024;
  try {
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
    // Junk before a confirmed Info frame: still the header frame (as before; FFmpeg would miss it).
    tagged ??= await headerFrameAt(w, first.offset, end);
    const like = first.header;
    let p = first.offset;
    const headerFrame: SeekIndex["headerFrame"] = tagged?.headerFrame ?? null;
    const xing = tagged?.xing ?? null;
    if (headerFrame) {
      // Resynchronise after the header frame the way FFmpeg does (a header confirmed by the next one).
      const audio = await findSync(w, p + like.frameLength, end, like, 1, maxJunk);
      if (!audio) throw unprocessable("no MPEG audio frames after the header frame");
      p = audio.offset;
    }
    const offsets = new OffsetList();
    const jumps: IndexJump[] = [];
    let expected = p;
    let minKbps = Infinity;
    let maxKbps = 0;
    while (p + 4 <= end) {
      w.release(p);
      if (!w.has(p, 4) && !(await w.ensure(p, 4))) break;
      const h = parseFrameHeader(w.bytes, p - w.start);
      if (h && sameStream(h, like) && p + h.frameLength <= end) {
        if (p !== expected) jumps.push({ frame: offsets.length, offset: p });
        offsets.push(p);
        minKbps = Math.min(minKbps, h.bitrateKbps);
        maxKbps = Math.max(maxKbps, h.bitrateKbps);
        expected = p + h.frameLength;
        p = expected;
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
    if (offsets.length === 0) throw unprocessable("no MPEG audio frames after the header frame");
    const frameCount = offsets.length;
    const stride = options.stride ?? defaultStride(frameCount);
    const checkpoints = new Float64Array(Math.ceil(frameCount / stride));
    for (let i = 0; i < checkpoints.length; i++) checkpoints[i] = offsets.at(i * stride);
    const lame = xing?.lame ?? null;
    // A file cut short (the Xing header promises more frames than exist): the LAME padding belongs to
    // the last promised frame, and FFmpeg trims it only from there, so only what reaches the last frame
    // present is kept. FFmpeg skips a partial last frame, and so does the index (p + frameLength <= end).
    const promised = xing?.frames ?? frameCount;
    const missingSamples = Math.max(0, promised - frameCount) * like.samplesPerFrame;
    return {
      formatVersion: INDEX_FORMAT_VERSION,
      sourceSize: size,
      sourceTag: options.sourceTag ?? "",
      version: like.version,
      layer: like.layer,
      sampleRate: like.sampleRate,
      samplesPerFrame: like.samplesPerFrame,
      channels: like.channels,
      minBitrateKbps: minKbps,
      maxBitrateKbps: maxKbps,
      headerFrame,
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
      audioStart: offsets.at(0),
      audioEnd: expected,
      frameCount,
      stride,
      checkpoints,
      jumps,
    };
  } finally {
    await w.settle();
  }
}
