/**
 * Writing the Xing/Info and LAME tags into a clip's first frame, so players know its frame count,
 * byte length, TOC and the encoder delay and padding to trim. Layout as read by xing.ts.
 */
import { crc16 } from "./crc16.js";
import { allowedBitrates, layer3HeaderLike, type FrameHeader } from "./frame-header.js";
import {
  LAME_TAG_LENGTH,
  XING_FLAG_BYTES,
  XING_FLAG_FRAMES,
  XING_FLAG_QUALITY,
  XING_FLAG_TOC,
  XING_TOC_LENGTH,
  xingOffset,
} from "./xing.js";

export interface LameFields {
  /** Up to 9 bytes; padded with NULs. */
  encoderBytes: Uint8Array;
  revisionAndMethod?: number;
  lowpass?: number;
  encodingFlags?: number;
  bitrate?: number;
  encoderDelay: number;
  encoderPadding: number;
  misc?: number;
  presetAndSurround?: number;
  musicCrc: number;
}

export interface InfoFrameSpec {
  /** A frame of the stream: version, layer, sample rate, channel mode and flag bits are copied. */
  template: FrameHeader;
  /** "Info" marks constant bitrate, "Xing" variable. */
  kind: "Xing" | "Info";
  /** Audio frames after this one. */
  frames: number;
  /** Bytes of those audio frames (the Info frame's own length is added here). */
  audioBytes: number;
  toc: Uint8Array;
  quality: number;
  lame: LameFields;
}

function tagEnd(h: FrameHeader): number {
  return xingOffset(h) + 8 + 4 + 4 + XING_TOC_LENGTH + 4 + LAME_TAG_LENGTH;
}

/** The template's bitrate when the tags fit (a CBR stream stays strictly CBR), else the smallest that holds them. */
function infoFrameHeader(t: FrameHeader): FrameHeader {
  const candidates = [t.bitrateKbps, ...allowedBitrates(t.version, 3).filter((b) => b !== t.bitrateKbps)];
  for (const bitrateKbps of candidates) {
    const h = layer3HeaderLike(t, bitrateKbps);
    if (h && tagEnd(h) <= h.frameLength) return h;
  }
  throw new RangeError("no bitrate holds the Xing and LAME tags");
}

/**
 * A silent Layer III frame carrying Xing/Info and LAME tags. It uses the template's bitrate when the
 * tags fit (a CBR stream stays strictly CBR), otherwise the smallest bitrate that holds them.
 */
export function writeInfoFrame(spec: InfoFrameSpec): Uint8Array {
  const t = spec.template;
  if (t.layer !== 3) throw new RangeError("Xing/Info frames are written for Layer III only");
  if (spec.toc.length !== XING_TOC_LENGTH) throw new RangeError("TOC must have 100 entries");
  const { encoderDelay, encoderPadding } = spec.lame;
  for (const [name, v] of [
    ["encoder delay", encoderDelay],
    ["encoder padding", encoderPadding],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 4095) throw new RangeError(`${name} ${v} does not fit 12 bits`);
  }
  const header = infoFrameHeader(t);
  const out = new Uint8Array(header.frameLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, header.raw);
  const p = xingOffset(header);
  for (let i = 0; i < 4; i++) out[p + i] = spec.kind.charCodeAt(i);
  dv.setUint32(p + 4, XING_FLAG_FRAMES | XING_FLAG_BYTES | XING_FLAG_TOC | XING_FLAG_QUALITY);
  dv.setUint32(p + 8, spec.frames);
  dv.setUint32(p + 12, header.frameLength + spec.audioBytes);
  out.set(spec.toc, p + 16);
  dv.setUint32(p + 116, spec.quality);
  writeLameTag(out, p + 120, header.frameLength + spec.audioBytes, spec.lame);
  return out;
}

/** The 36-byte LAME tag at `p`, its CRC over the whole frame before it. */
function writeLameTag(out: Uint8Array, p: number, totalBytes: number, l: LameFields): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const { encoderDelay, encoderPadding } = l;
  out.set(l.encoderBytes.subarray(0, 9), p);
  out[p + 9] = l.revisionAndMethod ?? 0;
  out[p + 10] = l.lowpass ?? 0;
  // p+11..p+18: ReplayGain of the whole episode would be wrong for a clip; left unset (zero).
  out[p + 19] = l.encodingFlags ?? 0;
  out[p + 20] = l.bitrate ?? 0;
  out[p + 21] = encoderDelay >>> 4;
  out[p + 22] = ((encoderDelay & 0xf) << 4) | (encoderPadding >>> 8);
  out[p + 23] = encoderPadding & 0xff;
  out[p + 24] = l.misc ?? 0;
  // p+25: MP3Gain adjustment, none.
  dv.setUint16(p + 26, l.presetAndSurround ?? 0);
  dv.setUint32(p + 28, totalBytes);
  dv.setUint16(p + 32, l.musicCrc);
  dv.setUint16(p + 34, crc16(out, 0, p + 34));
}

/**
 * Xing TOC: entry i is the byte position (in 1/256 of the audio bytes) of the frame at i% of the
 * duration. `frameStart(k)` gives frame k's offset from the first audio frame.
 */
export function buildToc(frameCount: number, audioBytes: number, frameStart: (k: number) => number): Uint8Array {
  const toc = new Uint8Array(XING_TOC_LENGTH);
  if (frameCount === 0 || audioBytes === 0) return toc;
  for (let i = 0; i < XING_TOC_LENGTH; i++) {
    const k = Math.min(frameCount - 1, Math.floor((i * frameCount) / XING_TOC_LENGTH));
    toc[i] = Math.min(255, Math.floor((256 * frameStart(k)) / audioBytes));
  }
  return toc;
}
