/**
 * The AAC index of an ADTS file (`.aac`): every frame header read once by ranged reads (a frame header
 * holds the frame's length, so the walk jumps from header to header), each frame one packet of 1024
 * samples. Packets are kept with their headers (the layout stays one contiguous run) and the header bytes
 * are dropped when a clip copies them. ADTS carries no encoder delay: FFmpeg plays every sample, so the
 * timeline is the decoded samples from the first.
 */
import { ClipError } from "../errors.js";
import { isAdtsHeader } from "../format/detect.js";
import { ScanWindow, type ByteSource } from "../mp3/byte-source.js";
import { AAC_INDEX_FORMAT_VERSION, type AacIndex } from "./aac-index.js";
import { AAC_SAMPLE_RATES } from "./audio-config.js";
import { AAC_PACKET_SAMPLES } from "./audio-track.js";
import { layoutFromChunks } from "./packet-layout.js";
import { mp4aStsd, type AdtsConfig } from "./sample-entry.js";

interface AdtsHeader extends AdtsConfig {
  headerLength: number;
  frameLength: number;
  /** Raw data blocks in the frame (a clip needs one per packet). */
  blocks: number;
}

function readHeader(b: Uint8Array, at: number): AdtsHeader | undefined {
  if (!isAdtsHeader(b, at)) return undefined;
  const b2 = b[at + 2] ?? 0;
  const b3 = b[at + 3] ?? 0;
  const sampleRateIndex = (b2 >> 2) & 15;
  return {
    objectType: (b2 >> 6) + 1,
    sampleRateIndex,
    sampleRate: AAC_SAMPLE_RATES[sampleRateIndex] ?? 0,
    channels: ((b2 & 1) << 2) | (b3 >> 6),
    headerLength: (b[at + 1] ?? 0) & 1 ? 7 : 9,
    frameLength: (b3 & 3) * 2048 + (b[at + 4] ?? 0) * 8 + ((b[at + 5] ?? 0) >> 5),
    blocks: ((b[at + 6] ?? 0) & 3) + 1,
  };
}

const sameStream = (a: AdtsHeader, b: AdtsHeader) =>
  a.objectType === b.objectType &&
  a.sampleRateIndex === b.sampleRateIndex &&
  a.channels === b.channels &&
  a.headerLength === b.headerLength;

function refuse(message: string): ClipError {
  return new ClipError("unprocessable_source", message);
}

function checkFirst(h: AdtsHeader | undefined): AdtsHeader {
  if (!h) throw refuse("no ADTS frame where the audio starts");
  if (h.objectType !== 2) throw refuse(`ADTS AAC object type ${h.objectType}, not AAC-LC`);
  if (h.channels < 1 || h.channels > 2) throw refuse(`ADTS AAC with channel configuration ${h.channels}`);
  return h;
}

/** Walks the frames from `audioStart`; stops at the first byte that is not a frame of the same stream. */
export async function buildAdtsIndex(
  source: ByteSource,
  options: { audioStart: number; sourceTag?: string; chunkSize?: number },
): Promise<AacIndex> {
  const w = new ScanWindow(source, source.size, options.chunkSize ?? 2 * 1024 * 1024, 1);
  const sizes: number[] = [];
  let first: AdtsHeader | undefined;
  try {
    for (let p = options.audioStart; ;) {
      w.release(p);
      if (!(await w.ensure(p, 7))) break;
      const h = readHeader(w.bytes, p - w.start);
      if (!first) first = checkFirst(h);
      if (!h || !sameStream(h, first) || h.frameLength <= h.headerLength || p + h.frameLength > source.size) break;
      if (h.blocks !== 1) throw refuse("ADTS frames with several raw data blocks");
      sizes.push(h.frameLength);
      p += h.frameLength;
    }
  } finally {
    await w.settle();
  }
  const config = checkFirst(first);
  const packetSizes = Uint32Array.from(sizes);
  const layout = layoutFromChunks(packetSizes, Uint32Array.of(0), Float64Array.of(options.audioStart));
  return {
    formatVersion: AAC_INDEX_FORMAT_VERSION,
    sourceSize: source.size,
    sourceTag: options.sourceTag ?? "",
    sampleRate: config.sampleRate,
    channels: config.channels,
    stsd: mp4aStsd(config),
    encoderDelay: 0,
    totalSamples: sizes.length * AAC_PACKET_SAMPLES,
    packetHeader: config.headerLength,
    ...layout,
  };
}
