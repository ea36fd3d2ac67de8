/**
 * MPEG audio frame headers (MPEG-1, MPEG-2, MPEG-2.5; Layers I, II, III): the 4 bytes that say how
 * long a frame is and how many samples it decodes to. Hand-written because the only npm parsers
 * either read whole files through Node streams or skip MPEG-2.5; this one is pure and allocation-free.
 */

export type MpegVersion = 1 | 2 | 2.5;
export type MpegLayer = 1 | 2 | 3;

export interface FrameHeader {
  /** The 32-bit header word, big-endian as stored. */
  readonly raw: number;
  readonly version: MpegVersion;
  readonly layer: MpegLayer;
  /** A 16-bit CRC follows the header (protection bit clear). */
  readonly crcProtected: boolean;
  readonly bitrateKbps: number;
  readonly sampleRate: number;
  readonly padding: boolean;
  /** 0 stereo, 1 joint stereo, 2 dual channel, 3 mono. */
  readonly channelMode: number;
  readonly channels: 1 | 2;
  /** Whole frame in bytes, header included. */
  readonly frameLength: number;
  readonly samplesPerFrame: number;
  /** Layer III side information length in bytes (0 for Layers I and II). */
  readonly sideInfoLength: number;
}

// Indexed [lsf ? 1 : 0][layer - 1][bitrate index], kbps.
const BITRATES: readonly (readonly (readonly number[])[])[] = [
  [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];

const SAMPLE_RATES: Readonly<Record<number, readonly number[]>> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

const VERSION_BY_BITS: Readonly<Record<number, MpegVersion>> = { 3: 1, 2: 2, 0: 2.5 };
const VERSION_BITS: Readonly<Record<MpegVersion, number>> = { 1: 3, 2: 2, 2.5: 0 };

/**
 * Bits that must not change between frames of one stream: sync, version, layer and sample rate.
 * The same mask FFmpeg uses to confirm a resync candidate.
 */
export const STREAM_SIGNATURE_MASK = 0xfffe0c00;

export function readUint32BE(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) * 0x1000000 +
      (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))) >>>
    0
  );
}

/** Parses the header word; null for anything that is not a usable frame header (free format included). */
export function decodeFrameHeader(raw: number): FrameHeader | null {
  if ((raw & 0xffe00000) >>> 0 !== 0xffe00000) return null;
  const versionBits = (raw >>> 19) & 3;
  const layerBits = (raw >>> 17) & 3;
  const bitrateIndex = (raw >>> 12) & 15;
  const rateIndex = (raw >>> 10) & 3;
  const version = VERSION_BY_BITS[versionBits];
  if (version === undefined || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) {
    return null;
  }
  const layer = (4 - layerBits) as MpegLayer;
  const lsf = version === 1 ? 0 : 1;
  const bitrateKbps = BITRATES[lsf]?.[layer - 1]?.[bitrateIndex] ?? 0;
  const sampleRate = SAMPLE_RATES[versionBits]?.[rateIndex] ?? 0;
  const padding = ((raw >>> 9) & 1) === 1;
  const channelMode = (raw >>> 6) & 3;
  const channels = channelMode === 3 ? 1 : 2;
  const bps = bitrateKbps * 1000;
  let frameLength: number;
  let samplesPerFrame: number;
  if (layer === 1) {
    frameLength = (Math.floor((12 * bps) / sampleRate) + (padding ? 1 : 0)) * 4;
    samplesPerFrame = 384;
  } else if (layer === 2 || lsf === 0) {
    frameLength = Math.floor((144 * bps) / sampleRate) + (padding ? 1 : 0);
    samplesPerFrame = 1152;
  } else {
    frameLength = Math.floor((72 * bps) / sampleRate) + (padding ? 1 : 0);
    samplesPerFrame = 576;
  }
  const sideInfoLength = layer !== 3 ? 0 : lsf === 0 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17;
  return {
    raw: raw >>> 0,
    version,
    layer,
    crcProtected: ((raw >>> 16) & 1) === 0,
    bitrateKbps,
    sampleRate,
    padding,
    channelMode,
    channels,
    frameLength,
    samplesPerFrame,
    sideInfoLength,
  };
}

export function parseFrameHeader(bytes: Uint8Array, offset: number): FrameHeader | null {
  if (offset < 0 || offset + 4 > bytes.length || bytes[offset] !== 0xff) return null;
  return decodeFrameHeader(readUint32BE(bytes, offset));
}

export function sameStream(a: FrameHeader, b: FrameHeader): boolean {
  return ((a.raw ^ b.raw) & STREAM_SIGNATURE_MASK) === 0;
}

export interface HeaderFields {
  version: MpegVersion;
  layer: MpegLayer;
  bitrateKbps: number;
  sampleRate: number;
  padding?: boolean;
  channelMode: number;
  crcProtected?: boolean;
  /** Low bits kept from another header: private, mode extension, copyright, original, emphasis. */
  flagsFrom?: number;
}

/** Builds a header word; throws on a bitrate or sample rate the version/layer cannot carry. */
export function encodeFrameHeader(f: HeaderFields): number {
  const lsf = f.version === 1 ? 0 : 1;
  const versionBits = VERSION_BITS[f.version];
  const bitrateIndex = BITRATES[lsf]?.[f.layer - 1]?.indexOf(f.bitrateKbps) ?? -1;
  const rateIndex = SAMPLE_RATES[versionBits]?.indexOf(f.sampleRate) ?? -1;
  if (bitrateIndex <= 0) throw new RangeError(`bitrate ${f.bitrateKbps} kbps not allowed here`);
  if (rateIndex < 0) throw new RangeError(`sample rate ${f.sampleRate} not allowed for MPEG-${f.version}`);
  const keep = (f.flagsFrom ?? 0) & 0x13f; // private bit, mode extension, copyright, original, emphasis
  return (
    (0xffe00000 |
      (versionBits << 19) |
      ((4 - f.layer) << 17) |
      ((f.crcProtected ? 0 : 1) << 16) |
      (bitrateIndex << 12) |
      (rateIndex << 10) |
      ((f.padding ? 1 : 0) << 9) |
      ((f.channelMode & 3) << 6) |
      keep) >>>
    0
  );
}

/** Bitrates (kbps) a version/layer pair allows, ascending. */
export function allowedBitrates(version: MpegVersion, layer: MpegLayer): readonly number[] {
  return (BITRATES[version === 1 ? 0 : 1]?.[layer - 1] ?? []).slice(1);
}

/**
 * Layer III main_data_begin: how many bytes before this frame's side information its main data
 * starts (the bit reservoir). 9 bits in MPEG-1, 8 bits in MPEG-2/2.5.
 */
export function mainDataBegin(bytes: Uint8Array, offset: number, h: FrameHeader): number {
  const p = offset + 4 + (h.crcProtected ? 2 : 0);
  const b0 = bytes[p] ?? 0;
  if (h.version === 1) return (b0 << 1) | ((bytes[p + 1] ?? 0) >>> 7);
  return b0;
}

/** Bytes of a Layer III frame available for main data (what it can lend to the reservoir). */
export function mainDataCapacity(h: FrameHeader): number {
  return h.frameLength - 4 - (h.crcProtected ? 2 : 0) - h.sideInfoLength;
}

/**
 * A Layer III header of `template`'s stream (version, sample rate, channel mode, flag bits) at `bitrateKbps`:
 * how frames edgeclip writes (Info, silence, repacked audio) join a stream. The private bit is cleared unless
 * kept; null when the bitrate does not exist for the version.
 */
export function layer3HeaderLike(
  template: FrameHeader,
  bitrateKbps: number,
  opts: { padding?: boolean; keepPrivate?: boolean } = {},
): FrameHeader | null {
  const raw = encodeFrameHeader({
    version: template.version,
    layer: 3,
    bitrateKbps,
    sampleRate: template.sampleRate,
    channelMode: template.channelMode,
    padding: opts.padding ?? false,
    flagsFrom: opts.keepPrivate ? template.raw : template.raw & ~0x100,
  });
  return decodeFrameHeader(raw);
}
