/**
 * An `stsd` box with one `mp4a` sample entry, for AAC that arrives without one (ADTS frames): the
 * AudioSpecificConfig is rebuilt from the ADTS header's profile, rate index and channel configuration,
 * inside the `esds` descriptors ISO 14496-1 asks for (ES, decoder config, decoder specific info, SL config).
 */
import { box, flatten, fullBox, u16, u32, u8, zeros, type Part } from "./box-writer.js";

export interface AdtsConfig {
  /** MPEG-4 audio object type (ADTS profile + 1: 2 is AAC-LC). */
  objectType: number;
  sampleRateIndex: number;
  sampleRate: number;
  channels: number;
}

/** A descriptor: tag, length in one byte (every one here is under 128 bytes), payload. */
function descriptor(tag: number, ...parts: Part[]): Part {
  const payload = flatten(parts);
  if (payload.length > 127) throw new RangeError("descriptor too long");
  return [u8(tag), u8(payload.length), payload];
}

export function audioSpecificConfig(c: AdtsConfig): Uint8Array {
  // 5 bits object type, 4 bits rate index, 4 bits channels, 3 bits zero (1024-sample frames, no core coder).
  const bits = (c.objectType << 11) | (c.sampleRateIndex << 7) | (c.channels << 3);
  return Uint8Array.of(bits >> 8, bits & 255);
}

export function mp4aStsd(c: AdtsConfig): Uint8Array {
  const decoderConfig = descriptor(
    0x04,
    u8(0x40), // MPEG-4 audio
    u8(0x15), // audio stream
    [zeros(3), u32(0), u32(0)], // buffer size, max and average bitrate: unknown
    descriptor(0x05, audioSpecificConfig(c)),
  );
  const es = descriptor(0x03, u16(1), u8(0), decoderConfig, descriptor(0x06, u8(2)));
  const entry = box(
    "mp4a",
    zeros(6),
    u16(1), // data reference index
    zeros(8),
    u16(c.channels),
    u16(16),
    u16(0),
    u16(0),
    u32(c.sampleRate > 0xffff ? 0 : c.sampleRate * 0x10000),
    fullBox("esds", 0, 0, es),
  );
  return flatten(fullBox("stsd", 0, 0, u32(1), entry));
}
