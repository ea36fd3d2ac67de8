/**
 * Copy-mode AAC cutting: pick the packets whose decoded samples hold [startMs, endMs), plus pre-roll
 * packets before them (an AAC frame's output overlaps the previous frame's, so the first packet a
 * decoder sees yields no usable audio), read them with one ranged read and write them into an M4A
 * whose edit list skips the pre-roll to the exact start sample and lasts exactly the clip.
 */
import { sampleRange, type SampleRange } from "../format/sample-range.js";
import { readExact, type ByteSource } from "../mp3/byte-source.js";
import type { AacIndex } from "./aac-index.js";
import { packetOffset, packetSize, sizesWindow } from "./packet-layout.js";
import { AAC_PACKET_SAMPLES } from "./audio-track.js";
import { writeM4a } from "./m4a-writer.js";

/** One packet is what the overlap needs; the second is margin (window-shape switches), < 1 KB. */
export const AAC_PRE_ROLL_PACKETS = 2;

/** The source-timeline samples the clip plays (SampleRange), and the packets that hold them. */
export interface AacCutPlan extends SampleRange {
  /** Packets copied: [firstPacket, lastPacket], pre-roll included. */
  firstPacket: number;
  lastPacket: number;
  /** Decoded samples the clip's edit list skips. */
  mediaTime: number;
  /** The byte range to read from the source. */
  span: { start: number; end: number };
}

export interface AacClipResult {
  bytes: Uint8Array;
  plan: AacCutPlan;
  packets: number;
}

/** The packets a clip needs and the samples it plays, before any packet size is known. */
export type AacPacketRange = Omit<AacCutPlan, "span">;

export function aacPacketRange(index: AacIndex, startMs: number, endMs: number): AacPacketRange {
  const range = sampleRange(startMs, endMs, index.sampleRate, index.totalSamples);
  const { startSample, endSample } = range;
  const delay = index.encoderDelay;
  const firstWanted = Math.floor((startSample + delay) / AAC_PACKET_SAMPLES);
  const firstPacket = Math.max(0, firstWanted - AAC_PRE_ROLL_PACKETS);
  const lastPacket = Math.min(index.packetCount - 1, Math.ceil((endSample + delay) / AAC_PACKET_SAMPLES) - 1);
  return {
    ...range,
    firstPacket,
    lastPacket,
    mediaTime: startSample + delay - firstPacket * AAC_PACKET_SAMPLES,
  };
}

/** Which packet sizes planAacCut needs loaded (an index from the store may hold none). */
export function aacSizesNeeded(index: AacIndex, range: AacPacketRange): { from: number; to: number } {
  return sizesWindow(index, range.firstPacket, range.lastPacket);
}

/** The full plan; the index must hold the sizes aacSizesNeeded names. */
export function planAacCut(index: AacIndex, startMs: number, endMs: number): AacCutPlan {
  const range = aacPacketRange(index, startMs, endMs);
  const start = packetOffset(index, range.firstPacket);
  const end = packetOffset(index, range.lastPacket) + packetSize(index, range.lastPacket);
  return { ...range, span: { start, end } };
}

/** Builds the clip from `bytes` = source[plan.span.start, plan.span.end). */
export function buildAacClip(index: AacIndex, plan: AacCutPlan, bytes: Uint8Array): AacClipResult {
  const { span } = plan;
  if (bytes.length !== span.end - span.start) {
    throw new RangeError(`expected ${span.end - span.start} source bytes, got ${bytes.length}`);
  }
  const count = plan.lastPacket - plan.firstPacket + 1;
  const skip = index.packetHeader;
  const sizes = Uint32Array.from({ length: count }, (_, i) => packetSize(index, plan.firstPacket + i) - skip);
  let length = 0;
  for (const s of sizes) length += s;
  const payload = new Uint8Array(length);
  // Packets of one track may sit in chunks with other tracks' data between them (video podcasts).
  for (let p = plan.firstPacket, o = 0; p <= plan.lastPacket; p++) {
    const size = sizes[p - plan.firstPacket] ?? 0;
    const at = packetOffset(index, p) - span.start + skip;
    payload.set(bytes.subarray(at, at + size), o);
    o += size;
  }
  const clip = writeM4a({
    sampleRate: index.sampleRate,
    stsd: index.stsd,
    sizes,
    payload,
    mediaTime: plan.mediaTime,
    durationSamples: plan.endSample - plan.startSample,
  });
  return { bytes: clip, plan, packets: count };
}

export async function cutAacClip(
  index: AacIndex,
  source: ByteSource,
  startMs: number,
  endMs: number,
): Promise<AacClipResult> {
  const plan = planAacCut(index, startMs, endMs);
  const bytes = await readExact(source, plan.span.start, plan.span.end);
  return buildAacClip(index, plan, bytes);
}
