/**
 * From checkpoints to exact frames: which bytes to fetch for a run of frames, and walking the frame
 * headers inside those bytes. Every step is checked against the index (same stream, lands on the next
 * checkpoint), so a stale or corrupt index fails loudly instead of producing a wrong clip.
 */
import { parseFrameHeader, type FrameHeader } from "./frame-header.js";
import { IndexMismatchError, type SeekIndex } from "./seek-index.js";

export interface FrameSpan {
  /** First frame covered (a checkpoint) and the frame after the last one covered. */
  fromFrame: number;
  toFrame: number;
  /** Byte range [start, end) of the source holding frames fromFrame … toFrame - 1. */
  start: number;
  end: number;
}

export interface WalkedFrames {
  /** Absolute offsets of frames fromFrame … toFrame - 1. */
  offsets: Float64Array;
  headers: FrameHeader[];
  /** Absolute end of the last frame. */
  end: number;
}

/** The checkpoint-aligned byte range that holds frames first … last (inclusive). */
export function spanForFrames(index: SeekIndex, first: number, last: number): FrameSpan {
  if (first < 0 || last < first || last >= index.frameCount) {
    throw new RangeError(`frames ${first}..${last} outside 0..${index.frameCount - 1}`);
  }
  const fromFrame = Math.floor(first / index.stride) * index.stride;
  const toFrame = Math.min(index.frameCount, (Math.floor(last / index.stride) + 1) * index.stride);
  const start = checkpointOffset(index, fromFrame);
  const end = toFrame < index.frameCount ? checkpointOffset(index, toFrame) : index.audioEnd;
  return { fromFrame, toFrame, start, end };
}

function checkpointOffset(index: SeekIndex, frame: number): number {
  const c = index.checkpoints[frame / index.stride];
  if (c === undefined) throw new RangeError(`no checkpoint for frame ${frame}`);
  return c;
}

function firstJumpAtOrAfter(index: SeekIndex, frame: number): number {
  let lo = 0;
  let hi = index.jumps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((index.jumps[mid]?.frame ?? Infinity) < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Walks the frames of `span` inside `bytes` (which hold the source from `bytesStart`), returning each
 * frame's offset and header. Throws IndexMismatchError when the bytes disagree with the index.
 */
export function walkFrames(index: SeekIndex, span: FrameSpan, bytes: Uint8Array, bytesStart: number): WalkedFrames {
  const count = span.toFrame - span.fromFrame;
  const offsets = new Float64Array(count);
  const headers: FrameHeader[] = [];
  let j = firstJumpAtOrAfter(index, span.fromFrame);
  let p = checkpointOffset(index, span.fromFrame);
  for (let f = span.fromFrame; f < span.toFrame; f++) {
    const jump = index.jumps[j];
    if (jump && jump.frame === f) {
      if (jump.offset < p) throw new IndexMismatchError(`frame ${f} jumps backwards`);
      p = jump.offset;
      j++;
    }
    if (f % index.stride === 0 && checkpointOffset(index, f) !== p) {
      throw new IndexMismatchError(`frame ${f} found at ${p}, checkpoint says ${checkpointOffset(index, f)}`);
    }
    const at = p - bytesStart;
    const h = parseFrameHeader(bytes, at);
    if (!h || h.version !== index.version || h.layer !== index.layer || h.sampleRate !== index.sampleRate) {
      throw new IndexMismatchError(`no frame header of this stream at byte ${p} (frame ${f})`);
    }
    if (at + h.frameLength > bytes.length) throw new IndexMismatchError(`frame ${f} runs past the bytes read`);
    offsets[f - span.fromFrame] = p;
    headers.push(h);
    p += h.frameLength;
  }
  const landed = span.toFrame < index.frameCount ? p <= span.end : p === index.audioEnd;
  const exact = span.toFrame < index.frameCount && index.jumps[j]?.frame !== span.toFrame ? p === span.end : landed;
  if (!landed || !exact) throw new IndexMismatchError(`walk ended at ${p}, index expects ${span.end}`);
  return { offsets, headers, end: p };
}
