/**
 * Copy-mode MP3 cutting: pick the frames that hold [startMs, endMs), fetch them (plus bit-reservoir
 * lead-in) with one ranged read, and put a fresh Xing/Info + LAME frame in front whose encoder delay
 * and padding make gapless decoders (FFmpeg/Chrome, Firefox, Apple) output exactly the requested
 * samples. No decoding, no re-encoding: the audio frames are the source's bytes.
 *
 * Sample bookkeeping (all counts in samples): decoded index = source-timeline sample + T0, where T0 is
 * the source's own delay + 529 when FFmpeg honours its LAME tag, else 0. A clip of frames k0…m plays
 * decoded [k0·spf + delay + 529, (m+1)·spf − padding + 529), so delay and padding are solved from that.
 */
import { ClipError } from "../errors.js";
import { readExact, type ByteSource } from "./byte-source.js";
import { crc16 } from "./crc16.js";
import { decodeFrameHeader, encodeFrameHeader, mainDataCapacity, type FrameHeader } from "./frame-header.js";
import { spanForFrames, walkFrames, type FrameSpan } from "./frame-walk.js";
import {
  anchorFrames,
  gatherReservoir,
  maxReservoir,
  reservoirStart,
  silentFrame,
  type FrameAccess,
} from "./reservoir.js";
import { DECODER_DELAY, timelineOffset, totalSamples, type SeekIndex } from "./seek-index.js";
import { buildToc, writeInfoFrame } from "./info-frame.js";

/** The 12-bit LAME delay field caps how much lead-in a clip can hide. */
const MAX_ENCODER_DELAY = 4095;
/** Encoder strings that both FFmpeg and Firefox accept for gapless trimming. */
const PORTABLE_ENCODERS = ["LAME", "Lavc"];
const FALLBACK_ENCODER = new Uint8Array([0x4c, 0x61, 0x76, 0x63]); // "Lavc"

export interface CutPlan {
  sampleRate: number;
  /** Source-timeline samples [startSample, endSample) the clip will play. */
  startSample: number;
  endSample: number;
  /** The same, in (rounded) milliseconds. */
  startMs: number;
  endMs: number;
  clampedToEnd: boolean;
  /** First and last frame holding wanted samples. */
  firstFrame: number;
  lastFrame: number;
  /** Most lead-in frames the delay field can cover for this start. */
  maxLeadIn: number;
  /** Frames read before firstFrame: enough for the worst-case reservoir at the file's lowest bitrate. */
  readBack: number;
  /** The byte range to read from the source: [span.start, span.end). */
  span: FrameSpan;
}

export interface ClipResult {
  bytes: Uint8Array;
  plan: CutPlan;
  /** Audio frames after the Info frame. */
  frames: number;
  leadInFrames: number;
  /** A synthesized silent frame leads in (carrying the reservoir, or making room for the delay). */
  carrierFrame: boolean;
  /** False when the bit reservoir reaches back further than the delay field allows (very low bitrates). */
  leadInComplete: boolean;
  encoderDelay: number;
  encoderPadding: number;
}

function msToSamples(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Plans a cut; throws ClipError start_beyond_end / invalid_parameter / unprocessable_source. */
export function planCut(index: SeekIndex, startMs: number, endMs: number): CutPlan {
  if (index.layer !== 3) throw new ClipError("unprocessable_source", "only MPEG Layer III can be cut by copying");
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs < 0 || endMs <= startMs) {
    throw new ClipError("invalid_parameter", `bad clip range ${startMs}..${endMs} ms`);
  }
  const sr = index.sampleRate;
  const spf = index.samplesPerFrame;
  const total = totalSamples(index);
  const startSample = msToSamples(startMs, sr);
  if (startSample >= total) {
    throw new ClipError("start_beyond_end", `start ${startMs} ms is at or past the end of the audio`);
  }
  const wantedEnd = msToSamples(endMs, sr);
  const endSample = Math.min(wantedEnd, total);
  if (endSample <= startSample) throw new ClipError("invalid_parameter", "clip is shorter than one sample");
  const t0 = timelineOffset(index);
  const p = startSample + t0;
  const firstFrame = Math.floor(p / spf);
  const lastFrame = Math.min(index.frameCount - 1, Math.ceil((endSample + t0) / spf) - 1);
  const into = p - firstFrame * spf;
  const maxLeadIn = Math.min(firstFrame, Math.floor((MAX_ENCODER_DELAY + DECODER_DELAY - into) / spf));
  const readBack = Math.min(firstFrame, Math.max(maxLeadIn, anchorFrames(index.version) + reservoirFrames(index)));
  return {
    sampleRate: sr,
    startSample,
    endSample,
    startMs: Math.round((startSample * 1000) / sr),
    endMs: Math.round((endSample * 1000) / sr),
    clampedToEnd: wantedEnd > total,
    firstFrame,
    lastFrame,
    maxLeadIn,
    readBack,
    span: spanForFrames(index, firstFrame - readBack, lastFrame),
  };
}

/** Frames that can hold a full reservoir even if every one is at the file's lowest bitrate. */
function reservoirFrames(index: SeekIndex): number {
  const raw = encodeFrameHeader({
    version: index.version,
    layer: 3,
    bitrateKbps: index.minBitrateKbps,
    sampleRate: index.sampleRate,
    channelMode: index.channels === 1 ? 3 : 0,
  });
  const h = decodeFrameHeader(raw);
  const capacity = h ? mainDataCapacity(h) - 2 : 0; // - 2: frames may carry a CRC
  return Math.ceil(maxReservoir(index.version) / Math.max(1, capacity));
}

function readHeader(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
}

/** Builds the clip from `bytes` = source[plan.span.start, plan.span.end). */
export function buildClip(index: SeekIndex, plan: CutPlan, bytes: Uint8Array): ClipResult {
  const { span } = plan;
  if (bytes.length !== span.end - span.start) {
    throw new RangeError(`expected ${span.end - span.start} source bytes, got ${bytes.length}`);
  }
  const walked = walkFrames(index, span, bytes, span.start);
  const spf = index.samplesPerFrame;
  const k = plan.firstFrame;
  const m = plan.lastFrame;
  const access: FrameAccess = {
    bytes,
    header: (f) => (f >= span.fromFrame ? walked.headers[f - span.fromFrame] : undefined),
    offset: (f) =>
      f >= span.fromFrame && f < span.toFrame ? (walked.offsets[f - span.fromFrame] ?? 0) - span.start : undefined,
  };
  const template = access.header(k);
  if (!template) throw new RangeError("first wanted frame outside the walked span");
  // Real frames when their reservoir fits under the delay limit; otherwise a carrier frame.
  const anchor = k - anchorFrames(index.version);
  let k0 = anchor <= 0 ? 0 : reservoirStart(access, anchor);
  let carrier: Uint8Array | null = null;
  let leadInComplete = true;
  if (k0 < 0 || k - k0 > plan.maxLeadIn) {
    const reservoir = gatherReservoir(access, anchor);
    k0 = anchor;
    if (reservoir) {
      carrier = silentFrame(template, reservoir);
    } else {
      leadInComplete = false;
      k0 = Math.max(span.fromFrame, k - plan.maxLeadIn);
    }
  }
  const t0 = timelineOffset(index);
  const delayFrom = (firstSlot: number): number => plan.startSample + t0 - firstSlot * spf - DECODER_DELAY;
  // Within 529 samples of the start of a file without gapless info there is nothing to trim; a silent
  // frame in front (decoder state after it equals a fresh start) makes room for the delay.
  if (!carrier && k0 === 0 && delayFrom(0) < 0) carrier = silentFrame(template, new Uint8Array(0));
  const virtualStart = carrier ? k0 - 1 : k0; // the carrier takes the frame slot before k0
  const encoderDelay = delayFrom(virtualStart);
  const encoderPadding = (m + 1) * spf - (plan.endSample + t0) + DECODER_DELAY;

  // Copy frames k0..m; bytes between frames (junk the index skipped) are left out.
  const pieces: { from: number; to: number; header: FrameHeader }[] = [];
  for (let f = k0; f <= m; f++) {
    const header = access.header(f);
    const at = access.offset(f);
    if (!header || at === undefined) throw new RangeError(`frame ${f} outside the walked span`);
    pieces.push({ from: at, to: at + header.frameLength, header });
  }
  const count = pieces.length + (carrier ? 1 : 0);
  const starts = new Float64Array(count);
  let audioBytes = carrier?.length ?? 0;
  let sameBitrate =
    carrier === null || decodeFrameHeader(readHeader(carrier))?.bitrateKbps === pieces[0]?.header.bitrateKbps;
  pieces.forEach((piece, i) => {
    starts[i + (carrier ? 1 : 0)] = audioBytes;
    audioBytes += piece.to - piece.from;
    if (piece.header.bitrateKbps !== pieces[0]?.header.bitrateKbps) sameBitrate = false;
  });
  const audio = new Uint8Array(audioBytes);
  if (carrier) audio.set(carrier);
  pieces.forEach((piece, i) => audio.set(bytes.subarray(piece.from, piece.to), starts[i + (carrier ? 1 : 0)] ?? 0));

  const lame = index.lame;
  const portable =
    lame && PORTABLE_ENCODERS.some((e) => String.fromCharCode(...lame.encoderBytes.subarray(0, 4)) === e);
  const info = writeInfoFrame({
    template,
    kind: sameBitrate ? "Info" : "Xing",
    frames: count,
    audioBytes,
    toc: buildToc(count, audioBytes, (f) => starts[f] ?? 0),
    quality: index.xingQuality ?? 0,
    lame: {
      encoderBytes: portable ? lame.encoderBytes : FALLBACK_ENCODER,
      revisionAndMethod: lame?.revisionAndMethod ?? 0,
      lowpass: lame?.lowpass ?? 0,
      encodingFlags: lame?.encodingFlags ?? 0,
      bitrate: lame?.bitrate ?? 0,
      misc: lame?.misc ?? 0,
      presetAndSurround: lame?.presetAndSurround ?? 0,
      encoderDelay,
      encoderPadding,
      musicCrc: crc16(audio),
    },
  });
  const out = new Uint8Array(info.length + audio.length);
  out.set(info);
  out.set(audio, info.length);
  return {
    bytes: out,
    plan,
    frames: count,
    leadInFrames: k - virtualStart,
    carrierFrame: carrier !== null,
    leadInComplete,
    encoderDelay,
    encoderPadding,
  };
}

/** Plans, reads the source range once, and builds the clip. */
export async function cutClip(
  index: SeekIndex,
  source: ByteSource,
  startMs: number,
  endMs: number,
): Promise<ClipResult> {
  const plan = planCut(index, startMs, endMs);
  const bytes = await readExact(source, plan.span.start, plan.span.end);
  return buildClip(index, plan, bytes);
}
