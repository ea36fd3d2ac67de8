/**
 * Planning a copy-mode MP3 cut: which source frames hold [startMs, endMs), how many lead-in frames the
 * LAME delay can hide, and the one byte range to read (see cut.ts for the sample bookkeeping).
 */
import { ClipError } from "../errors.js";
import { sampleRange, type SampleRange } from "../format/sample-range.js";
import { decodeFrameHeader, encodeFrameHeader, mainDataCapacity } from "./frame-header.js";
import { spanForFrames, type FrameSpan } from "./frame-walk.js";
import { anchorFrames, maxReservoir } from "./reservoir.js";
import { DECODER_DELAY, timelineOffset, totalSamples, type SeekIndex } from "./seek-index.js";

/** The 12-bit LAME delay field caps how much lead-in a clip can hide. */
const MAX_ENCODER_DELAY = 4095;

/** The source-timeline samples the clip will play (SampleRange), and the frames that hold them. */
export interface CutPlan extends SampleRange {
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

/** Plans a cut; throws ClipError start_beyond_end / invalid_parameter / unprocessable_source. */
export function planCut(index: SeekIndex, startMs: number, endMs: number): CutPlan {
  if (index.layer !== 3) throw new ClipError("unprocessable_source", "only MPEG Layer III can be cut by copying");
  const range = sampleRange(startMs, endMs, index.sampleRate, totalSamples(index));
  const { startSample, endSample } = range;
  const spf = index.samplesPerFrame;
  const t0 = timelineOffset(index);
  const p = startSample + t0;
  const firstFrame = Math.floor(p / spf);
  const lastFrame = Math.min(index.frameCount - 1, Math.ceil((endSample + t0) / spf) - 1);
  const into = p - firstFrame * spf;
  const maxLeadIn = Math.min(firstFrame, Math.floor((MAX_ENCODER_DELAY + DECODER_DELAY - into) / spf));
  const readBack = Math.min(firstFrame, Math.max(maxLeadIn, anchorFrames(index.version) + reservoirFrames(index)));
  return {
    ...range,
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
