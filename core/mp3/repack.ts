/**
 * Lossless repacking of Layer III frames to one bitrate, the way mp3packer does: the bit
 * reservoir (main_data_begin) lets a frame's main data start up to 511 bytes (255 in MPEG-2/2.5) before
 * it, so main data can move between frames as long as each frame's data is whole by the end of that
 * frame. Only side information (main_data_begin) and headers (bitrate, padding, CRC) change; the
 * scale factors and Huffman bits are copied, so a decoder produces the same samples.
 *
 * Why: players seek in a VBR clip through its Xing TOC (1/256 of the file per step, about 80 ms on a
 * 20 s clip), while in a CBR stream laid out as frame i at ceil(i × bytes / frames) they compute every
 * frame's offset exactly (measured in Firefox; Chromium's own arithmetic drifts, see the seek test).
 */
import { allowedBitrates, layer3HeaderLike, mainDataBegin, type FrameHeader } from "./frame-header.js";
import { maxReservoir } from "./reservoir.js";
import { mainDataLength, setMainDataBegin, sideInfoOffset } from "./side-info.js";

export interface SourceFrame {
  header: FrameHeader;
  /** The whole frame, header first. */
  bytes: Uint8Array;
}

interface MainData {
  /** Where the frame's main data sits in the old main-data stream, and its length (0 when incomplete). */
  start: number;
  length: number;
  complete: boolean;
}

export interface Repacked {
  /** The frames, back to back, all of one bitrate. */
  audio: Uint8Array;
  /** Offset of each frame in `audio`: frame i at ceil(i × audio.length / frames). */
  frameStarts: number[];
  bitrateKbps: number;
  /** Lead-in frames left out at the front (their reservoir bytes moved into the frames kept). */
  dropped: number;
}

/**
 * Main data of each frame in the stream of main-data regions. A frame whose main data starts before
 * the first frame, or before the previous frame's data ends (a damaged stream), does not decode whole;
 * it is marked incomplete. Returns null when a frame's main data runs past its own end.
 */
function locateMainData(frames: readonly SourceFrame[]): { data: MainData[]; stream: Uint8Array } | null {
  const regions = frames.map((f) => f.bytes.subarray(sideInfoOffset(f.header) + f.header.sideInfoLength));
  const stream = new Uint8Array(regions.reduce((n, r) => n + r.length, 0));
  const data: MainData[] = [];
  let at = 0;
  let previousEnd = 0;
  for (const [i, f] of frames.entries()) {
    const region = regions[i] ?? new Uint8Array(0);
    stream.set(region, at);
    const start = at - mainDataBegin(f.bytes, 0, f.header);
    const length = mainDataLength(f.bytes, 0, f.header);
    at += region.length;
    if (start + length > at) return null;
    // Decoders keep only the bytes after the previous frame's data: data starting earlier is not there.
    if (start < previousEnd) data.push({ start: 0, length: 0, complete: false });
    else data.push({ start, length, complete: true });
    previousEnd = Math.max(previousEnd, start + length);
  }
  return { data, stream };
}

/**
 * Frame i starts at ceil(i × total / count): the padding slot goes where players' arithmetic (first
 * frame + i × average length) would otherwise land just past a frame's start. At 48 and 24 kHz every
 * frame is the same size; at 44.1 kHz some carry the padding byte, as in any CBR file.
 */
interface Layout {
  frameStarts: number[];
  /** Start of each frame's main-data region in the main-data stream. */
  regionStarts: number[];
  headers: FrameHeader[];
  total: number;
}

function layout(first: FrameHeader, count: number, bitrateKbps: number): Layout | null {
  const plain = constantHeader(first, bitrateKbps, false);
  const padded = constantHeader(first, bitrateKbps, true);
  if (!plain || !padded) return null;
  const average = (first.samplesPerFrame / 8) * ((bitrateKbps * 1000) / first.sampleRate);
  const total = Math.round(count * average);
  const frameStarts: number[] = [];
  const regionStarts: number[] = [];
  const headers: FrameHeader[] = [];
  let region = 0;
  for (let i = 0; i < count; i++) {
    const at = Math.ceil((i * total) / count);
    const length = Math.ceil(((i + 1) * total) / count) - at;
    const h = length === padded.frameLength ? padded : plain;
    if (length !== h.frameLength) return null;
    frameStarts.push(at);
    regionStarts.push(region);
    headers.push(h);
    region += h.frameLength - 4 - h.sideInfoLength;
  }
  return { frameStarts, regionStarts, headers, total };
}

/**
 * Earliest new start of each frame's main data; null if one does not fit by its frame's end. Starts
 * never go back before the previous frame's data end: decoders keep only what follows it.
 */
function place(data: readonly MainData[], lay: Layout, reservoir: number): number[] | null {
  const starts: number[] = [];
  let end = 0;
  for (const [i, d] of data.entries()) {
    const region = lay.regionStarts[i] ?? 0;
    const h = lay.headers[i];
    const start = Math.max(end, region - reservoir);
    if (!h || start + d.length > region + h.frameLength - 4 - h.sideInfoLength) return null;
    starts.push(start);
    end = start + d.length;
  }
  return starts;
}

function constantHeader(template: FrameHeader, bitrateKbps: number, padding: boolean): FrameHeader | null {
  return layer3HeaderLike(template, bitrateKbps, { padding, keepPrivate: true });
}

/**
 * Repacks Layer III frames of one stream to the smallest standard bitrate (of `bitrates`) at which
 * every frame's main data fits; null when none does (or the frames are not a valid stream), so the caller keeps them as
 * they are. Frames keep their channel mode extension and flags. Frames before `exactFrom` are lead-in
 * whose output is trimmed: one whose main data lies before the first frame becomes silent. From
 * `exactFrom` on, such a frame (decoders play the part they have) means no repacking.
 */
export interface RepackOptions {
  /** Frames before this one are trimmed lead-in (see repackFrames). */
  exactFrom?: number;
  /** Bitrates to try, ascending; default every one the version allows. */
  bitrates?: readonly number[];
  /** The lead-in before exactFrom may be left out when its reservoir fits in the frames kept. */
  dropLeadIn?: boolean;
}

export function repackFrames(frames: readonly SourceFrame[], options: RepackOptions = {}): Repacked | null {
  const { exactFrom = 0, bitrates } = options;
  const first = frames[0]?.header;
  const located = first ? locateMainData(frames) : null;
  if (!first || !located || located.data.some((d, i) => i >= exactFrom && !d.complete)) return null;
  const reservoir = maxReservoir(first.version);
  for (const bitrateKbps of bitrates ?? allowedBitrates(first.version, 3)) {
    // The lead-in before exactFrom only carries its reservoir: when that fits in the first kept frame,
    // leave it out (a shorter LAME delay, and one or two frames less to download).
    for (const dropped of exactFrom > 0 && options.dropLeadIn ? [exactFrom, 0] : [0]) {
      const data = located.data.slice(dropped);
      const lay = layout(first, data.length, bitrateKbps);
      const starts = lay && place(data, lay, reservoir);
      if (!lay || !starts) continue;
      const audio = new Uint8Array(lay.total);
      const out: Output = { audio, view: new DataView(audio.buffer), headers: new Map() };
      data.forEach((d, i) => writeFrame(out, lay, i, frames[i + dropped]!, d, located.stream, starts[i] ?? 0));
      return { audio, frameStarts: lay.frameStarts, bitrateKbps, dropped };
    }
  }
  return null;
}

/**
 * The repacked clip being written. A clip's frames differ in only a few header bits (mode extension, padding),
 * so each distinct header is encoded once: per frame it was a third of the repack (#15).
 */
interface Output {
  audio: Uint8Array;
  view: DataView;
  /** The header written for a source header word and padding: key raw × 2 + padding. */
  headers: Map<number, FrameHeader>;
}

function writtenHeader(out: Output, source: FrameHeader, plain: FrameHeader): FrameHeader {
  const key = source.raw * 2 + (plain.padding ? 1 : 0);
  let h = out.headers.get(key);
  if (!h) out.headers.set(key, (h = constantHeader(source, plain.bitrateKbps, plain.padding) ?? plain));
  return h;
}

/** Frame i of the layout: its header (keeping the source frame's mode extension and flags), side info, main data. */
function writeFrame(
  out: Output,
  lay: Layout,
  i: number,
  f: SourceFrame,
  d: MainData,
  stream: Uint8Array,
  start: number,
): void {
  const { audio } = out;
  const at = lay.frameStarts[i] ?? 0;
  const plain = lay.headers[i]!;
  const h = writtenHeader(out, f.header, plain);
  out.view.setUint32(at, h.raw);
  if (d.complete) {
    const side = sideInfoOffset(f.header);
    audio.set(f.bytes.subarray(side, side + f.header.sideInfoLength), at + 4);
  }
  // A silent frame points where the next data may start: decoders keep only the bytes after that point.
  setMainDataBegin(audio.subarray(at), h, (lay.regionStarts[i] ?? 0) - start);
  writeMainData(audio, lay, i, start, stream.subarray(d.start, d.start + d.length));
}

/**
 * Writes `bytes` at main-data stream position `pos`, across the main-data regions of the frames. Frame
 * `near`'s data starts at most a reservoir before its own region, so the region holding `pos` is found by
 * stepping back from it (a scan from frame 0 made a 20 s clip's repack quadratic: ~4 ms of a miss).
 */
function writeMainData(audio: Uint8Array, lay: Layout, near: number, pos: number, bytes: Uint8Array): void {
  let frame = near;
  while (frame > 0 && (lay.regionStarts[frame] ?? 0) > pos) frame--;
  let done = 0;
  while (done < bytes.length) {
    const p = pos + done;
    while ((lay.regionStarts[frame + 1] ?? Infinity) <= p) frame++;
    const h = lay.headers[frame]!;
    const into = p - (lay.regionStarts[frame] ?? 0);
    const take = Math.min(bytes.length - done, h.frameLength - 4 - h.sideInfoLength - into);
    audio.set(bytes.subarray(done, done + take), (lay.frameStarts[frame] ?? 0) + 4 + h.sideInfoLength + into);
    done += take;
  }
}
