/**
 * Finding frames in a byte stream the way FFmpeg's MP3 reader does: a sync word counts only when the
 * next headers confirm it, except the Xing/Info/VBRI frame right after the tags, which FFmpeg trusts alone.
 */
import type { ScanWindow } from "./byte-source.js";
import { parseFrameHeader, sameStream, type FrameHeader } from "./frame-header.js";
import type { SeekIndex } from "./seek-index.js";
import { readVbri, readXing, type XingHeader } from "./xing.js";

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
export async function findSync(
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

/** A Xing/Info/VBRI frame at exactly `at`, as FFmpeg accepts it (no confirming header needed). */
export async function headerFrameAt(
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
export async function freeFormatAt(w: ScanWindow, at: number): Promise<boolean> {
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
