/**
 * Layer III bit-reservoir lead-in. A frame's main data may start up to 511 bytes (255 for MPEG-2/2.5)
 * before the frame, inside earlier frames, and its first granule is only bit-exact once the two
 * granules before it decoded correctly (IMDCT overlap, synthesis-filter history). So a clip starting
 * at frame k needs an "anchor" (frame k-1 in MPEG-1, k-2..k-1 in MPEG-2/2.5) whose main data is whole.
 *
 * Usually the anchor's reservoir lies in the one or two frames before it and those are copied too.
 * When it reaches back further than the 12-bit LAME delay can hide (low bitrates, VBR silence), the
 * reservoir bytes are instead put at the end of one silent "carrier" frame: zero side information
 * decodes to silence, and the bytes after it are exactly the reservoir the anchor points into.
 * (FFmpeg keeps the last 512 bytes of a frame it did not consume; 511 is the most a reservoir needs.)
 */
import {
  allowedBitrates,
  mainDataBegin,
  layer3HeaderLike,
  mainDataCapacity,
  type FrameHeader,
} from "./frame-header.js";

/** Largest main_data_begin: 9 bits in MPEG-1, 8 bits in MPEG-2/2.5. */
export function maxReservoir(version: number): number {
  return version === 1 ? 511 : 255;
}

/** Frames before the first wanted one whose main data must decode whole. */
export function anchorFrames(version: number): number {
  return version === 1 ? 1 : 2;
}

export interface FrameAccess {
  header(frame: number): FrameHeader | undefined;
  /** Offset of the frame inside `bytes`. */
  offset(frame: number): number | undefined;
  bytes: Uint8Array;
}

function mainRegion(h: FrameHeader, at: number): [number, number] {
  return [at + 4 + (h.crcProtected ? 2 : 0) + h.sideInfoLength, at + h.frameLength];
}

/** The earliest frame to copy so that frame `anchor` finds all its reservoir bytes in real frames. */
export function reservoirStart(frames: FrameAccess, anchor: number): number {
  const h = frames.header(anchor);
  const at = frames.offset(anchor);
  if (!h || at === undefined) return anchor;
  let need = mainDataBegin(frames.bytes, at, h);
  let start = anchor;
  while (need > 0 && start > 0) {
    const prev = frames.header(start - 1);
    if (!prev) return -1; // not in the bytes read
    start--;
    need -= mainDataCapacity(prev);
  }
  return start;
}

/**
 * The last main_data_begin bytes of main data before `anchor`, i.e. what its reservoir points at;
 * null when the bytes read do not reach back that far.
 */
export function gatherReservoir(frames: FrameAccess, anchor: number): Uint8Array | null {
  const h = frames.header(anchor);
  const at = frames.offset(anchor);
  if (!h || at === undefined) return null;
  const need = mainDataBegin(frames.bytes, at, h);
  const reservoir = new Uint8Array(need);
  let filled = 0;
  for (let f = anchor - 1; filled < need; f--) {
    const fh = frames.header(f);
    const fo = frames.offset(f);
    if (!fh || fo === undefined) return null;
    const [from, to] = mainRegion(fh, fo);
    const take = Math.min(need - filled, to - from);
    reservoir.set(frames.bytes.subarray(to - take, to), need - filled - take);
    filled += take;
  }
  return reservoir;
}

/**
 * A frame that decodes to silence (all-zero side information) and ends with `reservoir` as ancillary
 * bytes. With an empty reservoir it is a plain silent frame: decoder state after it is the same as at
 * the start of a stream, so it can stand in front of frame 0 as lead-in.
 */
export function silentFrame(template: FrameHeader, reservoir: Uint8Array): Uint8Array {
  const bitrates = [template.bitrateKbps, ...allowedBitrates(template.version, 3)];
  for (const bitrateKbps of bitrates) {
    const h = layer3HeaderLike(template, bitrateKbps);
    if (!h || mainDataCapacity(h) < reservoir.length) continue;
    const out = new Uint8Array(h.frameLength);
    new DataView(out.buffer).setUint32(0, h.raw);
    out.set(reservoir, out.length - reservoir.length);
    return out;
  }
  throw new RangeError(`no frame can carry ${reservoir.length} reservoir bytes`);
}
