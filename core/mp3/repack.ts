/**
 * Lossless repacking of Layer III frames to one constant frame size, the way mp3packer does: the bit
 * reservoir (main_data_begin) lets a frame's main data start up to 511 bytes (255 in MPEG-2/2.5) before
 * it, so main data can move between frames as long as each frame's data is whole by the end of that
 * frame. Only side information (main_data_begin) and headers (bitrate, padding, CRC) change; the
 * scale factors and Huffman bits are copied, so a decoder produces the same samples.
 *
 * Why: players seek in a VBR clip through its Xing TOC (1/256 of the file per step, about 80 ms on a
 * 20 s clip), while every frame of a constant size sits at an offset they compute exactly.
 */
import {
  allowedBitrates,
  decodeFrameHeader,
  encodeFrameHeader,
  mainDataBegin,
  type FrameHeader,
} from "./frame-header.js";
import { maxReservoir } from "./reservoir.js";
import { mainDataLength, setMainDataBegin, sideInfoOffset } from "./side-info.js";

export interface SourceFrame {
  header: FrameHeader;
  /** The whole frame, header first. */
  bytes: Uint8Array;
}

interface MainData {
  /** Where the frame's main data sits in the old main-data stream, and its length; null: incomplete. */
  start: number;
  length: number;
  complete: boolean;
}

export interface Repacked {
  /** The frames, back to back, every one `frameLength` bytes. */
  audio: Uint8Array;
  frameLength: number;
  bitrateKbps: number;
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
 * Earliest new start of each frame's main data at `capacity` main-data bytes a frame; null if one does
 * not fit. Starts never go back before the previous frame's data end: decoders keep only what follows it.
 */
function place(data: readonly MainData[], capacity: number, reservoir: number): number[] | null {
  const starts: number[] = [];
  let end = 0;
  for (const [i, d] of data.entries()) {
    const start = Math.max(end, i * capacity - reservoir);
    if (start + d.length > (i + 1) * capacity) return null;
    starts.push(start);
    end = start + d.length;
  }
  return starts;
}

function constantHeader(template: FrameHeader, bitrateKbps: number): FrameHeader | null {
  const raw = encodeFrameHeader({
    version: template.version,
    layer: 3,
    bitrateKbps,
    sampleRate: template.sampleRate,
    channelMode: template.channelMode,
    flagsFrom: template.raw,
  });
  return decodeFrameHeader(raw);
}

/**
 * Repacks Layer III frames of one stream to the smallest standard bitrate at which every frame's main
 * data fits; null when none does (or the frames are not a valid stream), so the caller keeps them as
 * they are. Frames keep their channel mode extension and flags. Frames before `exactFrom` are lead-in
 * whose output is trimmed: one whose main data lies before the first frame becomes silent. From
 * `exactFrom` on, such a frame (decoders play the part they have) means no repacking.
 */
export function repackFrames(frames: readonly SourceFrame[], exactFrom = 0): Repacked | null {
  const first = frames[0]?.header;
  const located = first ? locateMainData(frames) : null;
  if (!first || !located || located.data.some((d, i) => i >= exactFrom && !d.complete)) return null;
  const reservoir = maxReservoir(first.version);
  for (const bitrateKbps of allowedBitrates(first.version, 3)) {
    const probe = constantHeader(first, bitrateKbps);
    if (!probe) continue;
    const capacity = probe.frameLength - 4 - probe.sideInfoLength;
    const starts = place(located.data, capacity, reservoir);
    if (!starts) continue;
    const audio = new Uint8Array(frames.length * probe.frameLength);
    frames.forEach((f, i) => {
      const h = constantHeader(f.header, bitrateKbps) ?? probe;
      const at = i * probe.frameLength;
      const d = located.data[i] ?? { start: 0, length: 0, complete: false };
      new DataView(audio.buffer).setUint32(at, h.raw);
      if (d.complete) {
        const side = sideInfoOffset(f.header);
        audio.set(f.bytes.subarray(side, side + f.header.sideInfoLength), at + 4);
      }
      const start = starts[i] ?? 0;
      // A silent frame points where the next data may start: decoders keep only the bytes after that point.
      setMainDataBegin(audio.subarray(at), h, i * capacity - start);
      writeMainData(audio, probe.frameLength, capacity, start, located.stream.subarray(d.start, d.start + d.length));
    });
    return { audio, frameLength: probe.frameLength, bitrateKbps };
  }
  return null;
}

/** Writes `bytes` at main-data stream position `pos`, across the main-data regions of the frames. */
function writeMainData(audio: Uint8Array, frameLength: number, capacity: number, pos: number, bytes: Uint8Array): void {
  const head = frameLength - capacity;
  let done = 0;
  while (done < bytes.length) {
    const p = pos + done;
    const frame = Math.floor(p / capacity);
    const into = p - frame * capacity;
    const take = Math.min(bytes.length - done, capacity - into);
    audio.set(bytes.subarray(done, done + take), frame * frameLength + head + into);
    done += take;
  }
}
