/**
 * The per-episode index of an MP4/M4A source: what the AAC track's sample table says, reduced to what a
 * cut needs (packet sizes, chunk offsets, the sample entry to copy, the encoder delay and length of the
 * timeline). Built once from the `moov` (found by ranged reads wherever it is), stored like the MP3
 * seek index and tied to the source's ETag through `sourceTag`.
 *
 * Timeline: source-timeline sample s is decoded sample s + encoderDelay, and decoded sample j comes out
 * of packet floor(j / 1024). The delay is the edit list's media time (what FFmpeg and browsers apply),
 * else iTunSMPB's priming (Apple's encoders), else 0.
 */
import { ClipError } from "../errors.js";
import type { ByteSource } from "../mp3/byte-source.js";
import { AAC_PACKET_SAMPLES, readAudioTrack, type AudioTrack } from "./audio-track.js";
import { findMoov } from "./find-moov.js";
import { layoutFromChunks, packetOffset, type PacketLayout } from "./packet-layout.js";

export const AAC_INDEX_FORMAT_VERSION = 1;

export interface AacIndex extends PacketLayout {
  formatVersion: number;
  sourceSize: number;
  /** Caller's identity of the source version (e.g. S3 ETag); "" when not given. */
  sourceTag: string;
  sampleRate: number;
  channels: number;
  stsd: Uint8Array;
  encoderDelay: number;
  /** Samples of the source timeline (after the delay, without end padding). */
  totalSamples: number;
  /** Bytes before each packet's AAC data that a clip drops: 0 in MP4, the ADTS header in `.aac` files. */
  packetHeader: number;
}

/** Decoded samples before the timeline and its length, from the edit list or iTunSMPB. */
export function timeline(track: AudioTrack, packets: number): { encoderDelay: number; totalSamples: number } {
  const decoded = packets * AAC_PACKET_SAMPLES;
  const { edit, smpb } = track;
  let delay = 0;
  let total = decoded;
  if (edit) {
    delay = edit.mediaTime;
    // A zero duration means "to the end" (fragmented writers); the movie timescale is often 1000 (ms).
    if (edit.duration > 0) total = Math.round((edit.duration * track.timescale) / track.movieTimescale);
    // iTunSMPB counts the same samples exactly where a millisecond movie timescale rounds them.
    if (smpb && smpb.priming === delay && Math.abs(smpb.samples - total) * track.movieTimescale < track.timescale) {
      total = smpb.samples;
    }
  } else if (smpb) {
    delay = smpb.priming;
    total = smpb.samples;
  }
  if (delay < 0 || delay >= decoded) throw new ClipError("unprocessable_source", `encoder delay ${delay} samples`);
  return { encoderDelay: delay, totalSamples: Math.max(0, Math.min(total, decoded - delay)) };
}

export async function buildAacIndex(source: ByteSource, options: { sourceTag?: string } = {}): Promise<AacIndex> {
  const moov = await findMoov(source);
  const track = readAudioTrack(moov.bytes);
  const sizes = track.sizes;
  const layout = layoutFromChunks(sizes, track.chunkFirstPacket, track.chunkOffset);
  const last = sizes.length - 1;
  const end = packetOffset(layout, last) + (sizes[last] ?? 0);
  if (end > source.size)
    throw new ClipError("unprocessable_source", "the sample table points past the end of the file");
  return {
    formatVersion: AAC_INDEX_FORMAT_VERSION,
    sourceSize: source.size,
    sourceTag: options.sourceTag ?? "",
    sampleRate: track.config.sampleRate,
    channels: track.config.channels,
    stsd: track.stsd,
    ...timeline(track, sizes.length),
    packetHeader: 0,
    ...layout,
  };
}

export function aacDurationMs(index: AacIndex): number {
  return (index.totalSamples * 1000) / index.sampleRate;
}
