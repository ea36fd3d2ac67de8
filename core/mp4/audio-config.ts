/**
 * The AAC decoder configuration inside an `mp4a` sample entry: the `esds` box's ES descriptor, its
 * decoder config descriptor and the AudioSpecificConfig (ISO 14496-3 1.6.2.1) it carries. Only the
 * first fields are decoded: object type, sampling rate and channel layout are what decide whether a
 * clip can be copied; the entry itself is copied into clips byte for byte.
 */
import { BoxReader, childBoxes, type Box } from "./boxes.js";

export const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
] as const;

export interface AudioConfig {
  /** MPEG-4 audio object type: 2 is AAC-LC, 5 SBR (HE-AAC), 29 PS (HE-AAC v2). */
  objectType: number;
  sampleRate: number;
  /** From the channel configuration; 0 means a program config element says (not decoded here). */
  channels: number;
  /** The object type signals SBR or PS: the decoder outputs twice the samples per packet. */
  sbr: boolean;
}

class Bits {
  private bit = 0;
  constructor(private readonly b: Uint8Array) {}
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++, this.bit++) {
      const byte = this.b[this.bit >> 3];
      if (byte === undefined) throw new RangeError("AudioSpecificConfig truncated");
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
    }
    return v;
  }
}

export function parseAudioSpecificConfig(asc: Uint8Array): AudioConfig {
  const bits = new Bits(asc);
  let objectType = bits.read(5);
  if (objectType === 31) objectType = 32 + bits.read(6);
  const index = bits.read(4);
  const sampleRate = index === 15 ? bits.read(24) : (AAC_SAMPLE_RATES[index] ?? 0);
  const channels = bits.read(4);
  return { objectType, sampleRate, channels, sbr: objectType === 5 || objectType === 29 };
}

/** A descriptor's tag and payload length (the length is 1–4 bytes of 7 bits each). */
function descriptor(r: BoxReader): { tag: number; end: number } {
  const tag = r.u8();
  let length = 0;
  for (let i = 0; i < 4; i++) {
    const b = r.u8();
    length = length * 128 + (b & 0x7f);
    if (b < 0x80) break;
  }
  return { tag, end: r.pos + length };
}

/** The AudioSpecificConfig bytes of an `esds` box, or undefined when it holds none. */
export function esdsAudioConfig(
  b: Uint8Array,
  esds: Box,
): { objectTypeIndication: number; asc: Uint8Array } | undefined {
  const r = new BoxReader(b, esds.body + 4, esds.end); // after version and flags
  const es = descriptor(r);
  if (es.tag !== 0x03) return undefined;
  r.skip(2); // ES_ID
  const flags = r.u8();
  if (flags & 0x80) r.skip(2);
  if (flags & 0x40) r.skip(r.u8());
  if (flags & 0x20) r.skip(2);
  const dc = descriptor(r);
  if (dc.tag !== 0x04) return undefined;
  const objectTypeIndication = r.u8();
  r.skip(12); // stream type, buffer size, max and average bitrate
  if (r.pos >= dc.end) return undefined;
  const dsi = descriptor(r);
  if (dsi.tag !== 0x05) return undefined;
  return { objectTypeIndication, asc: r.bytes(dsi.end - r.pos) };
}

/**
 * The `esds` of an `mp4a` sample entry. The entry's fixed part is 28 bytes after its header in version 0;
 * QuickTime sound descriptions version 1 add 16 bytes and version 2 add 36 (ISO/IEC 14496-12 12.2.3, QTFF).
 */
export function mp4aEsds(b: Uint8Array, entry: Box): Box | undefined {
  const version = new BoxReader(b, entry.body + 8, entry.end).u16();
  const extra = version === 1 ? 16 : version === 2 ? 36 : 0;
  const children = childBoxes(b, entry.body + 28 + extra, entry.end);
  const direct = children.find((c) => c.type === "esds");
  if (direct) return direct;
  // QuickTime files may nest it in a `wave` box.
  const wave = children.find((c) => c.type === "wave");
  return wave ? childBoxes(b, wave.body, wave.end).find((c) => c.type === "esds") : undefined;
}
