/**
 * The first-frame headers MP3 players read for duration, seeking and gapless playback:
 * Xing/Info (frames, bytes, 100-entry TOC, quality) followed by the LAME tag (encoder delay and
 * padding), and Fraunhofer's VBRI. Layout: http://gabriel.mp3-tech.org/mp3infotag.html; offsets
 * follow FFmpeg's reader (libavformat/mp3dec.c), which ignores the CRC bytes when locating the tag.
 */
import { crc16 } from "./crc16.js";
import {
  allowedBitrates,
  decodeFrameHeader,
  encodeFrameHeader,
  readUint32BE,
  type FrameHeader,
} from "./frame-header.js";

export const XING_FLAG_FRAMES = 1;
export const XING_FLAG_BYTES = 2;
export const XING_FLAG_TOC = 4;
export const XING_FLAG_QUALITY = 8;
export const XING_TOC_LENGTH = 100;
export const LAME_TAG_LENGTH = 36;
/** Encoder strings whose delay and padding FFmpeg honors; Firefox honors LAME and Lavc. */
const GAPLESS_ENCODERS = ["LAME", "Lavf", "Lavc"];

export interface LameTag {
  /** The 9-byte encoder short version, e.g. "LAME3.100" (NULs trimmed). */
  encoder: string;
  encoderBytes: Uint8Array;
  /** Info tag revision (high nibble) and VBR method (low nibble), as stored. */
  revisionAndMethod: number;
  lowpass: number;
  encodingFlags: number;
  bitrate: number;
  encoderDelay: number;
  encoderPadding: number;
  misc: number;
  presetAndSurround: number;
  musicLength: number;
  musicCrc: number;
  tagCrc: number;
  /** The stored tag CRC matches the frame bytes before it. */
  tagCrcValid: boolean;
  /** FFmpeg applies encoderDelay/encoderPadding only for these encoder strings. */
  gapless: boolean;
}

export interface XingHeader {
  kind: "Xing" | "Info";
  frames: number | null;
  bytes: number | null;
  toc: Uint8Array | null;
  quality: number | null;
  lame: LameTag | null;
}

export interface VbriHeader {
  version: number;
  delay: number;
  quality: number;
  bytes: number;
  frames: number;
  tocEntries: number;
  tocScale: number;
  tocEntrySize: number;
  framesPerEntry: number;
}

/** Where the Xing/Info tag sits in a Layer III frame: right after the side information. */
export function xingOffset(h: FrameHeader): number {
  return 4 + h.sideInfoLength;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = "";
  for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

/** Reads a Xing/Info header from a whole first frame (`frame` starts at the frame header). */
export function readXing(frame: Uint8Array): XingHeader | null {
  const h = decodeFrameHeader(readUint32BE(frame, 0));
  if (!h || h.layer !== 3) return null;
  let p = xingOffset(h);
  const end = Math.min(frame.length, h.frameLength);
  if (p + 8 > end) return null;
  const tag = ascii(frame, p, 4);
  if (tag !== "Xing" && tag !== "Info") return null;
  const flags = readUint32BE(frame, p + 4);
  p += 8;
  const field = (flag: number, length: number): number | null => {
    if (!(flags & flag) || p + length > end) return null;
    const v = length === 4 ? readUint32BE(frame, p) : p;
    p += length;
    return v;
  };
  const frames = field(XING_FLAG_FRAMES, 4);
  const bytes = field(XING_FLAG_BYTES, 4);
  const tocAt = field(XING_FLAG_TOC, XING_TOC_LENGTH);
  const quality = field(XING_FLAG_QUALITY, 4);
  const toc = tocAt === null ? null : frame.slice(tocAt, tocAt + XING_TOC_LENGTH);
  const lame = p + LAME_TAG_LENGTH <= end ? readLameTag(frame, p) : null;
  return { kind: tag, frames, bytes, toc, quality, lame };
}

function readLameTag(frame: Uint8Array, p: number): LameTag | null {
  const encoderBytes = frame.slice(p, p + 9);
  const encoder = ascii(frame, p, 9).replace(/\0+$/, "");
  // A printable encoder string is the only sign a LAME tag is there at all.
  if (encoder.length === 0 || !/^[\x20-\x7e]+$/.test(encoder)) return null;
  const delayPadding = ((frame[p + 21] ?? 0) << 16) | ((frame[p + 22] ?? 0) << 8) | (frame[p + 23] ?? 0);
  const crcAt = p + 34;
  const tagCrc = ((frame[crcAt] ?? 0) << 8) | (frame[crcAt + 1] ?? 0);
  return {
    encoder,
    encoderBytes,
    revisionAndMethod: frame[p + 9] ?? 0,
    lowpass: frame[p + 10] ?? 0,
    encodingFlags: frame[p + 19] ?? 0,
    bitrate: frame[p + 20] ?? 0,
    encoderDelay: delayPadding >>> 12,
    encoderPadding: delayPadding & 0xfff,
    misc: frame[p + 24] ?? 0,
    presetAndSurround: ((frame[p + 26] ?? 0) << 8) | (frame[p + 27] ?? 0),
    musicLength: readUint32BE(frame, p + 28),
    musicCrc: ((frame[p + 32] ?? 0) << 8) | (frame[p + 33] ?? 0),
    tagCrc,
    tagCrcValid: crc16(frame, 0, crcAt) === tagCrc,
    gapless: GAPLESS_ENCODERS.some((e) => encoder.startsWith(e)),
  };
}

/** Reads a VBRI header (always 32 bytes after the frame header). */
export function readVbri(frame: Uint8Array): VbriHeader | null {
  const p = 4 + 32;
  if (p + 26 > frame.length || ascii(frame, p, 4) !== "VBRI") return null;
  const u16 = (o: number): number => ((frame[p + o] ?? 0) << 8) | (frame[p + o + 1] ?? 0);
  return {
    version: u16(4),
    delay: u16(6),
    quality: u16(8),
    bytes: readUint32BE(frame, p + 10),
    frames: readUint32BE(frame, p + 14),
    tocEntries: u16(18),
    tocScale: u16(20),
    tocEntrySize: u16(22),
    framesPerEntry: u16(24),
  };
}

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
  const candidates = [t.bitrateKbps, ...allowedBitrates(t.version, 3).filter((b) => b !== t.bitrateKbps)];
  let header: FrameHeader | null = null;
  for (const bitrateKbps of candidates) {
    const raw = encodeFrameHeader({
      version: t.version,
      layer: 3,
      bitrateKbps,
      sampleRate: t.sampleRate,
      channelMode: t.channelMode,
      flagsFrom: t.raw & ~0x100, // private bit cleared; the rest describes the stream
    });
    const h = decodeFrameHeader(raw);
    if (h && tagEnd(h) <= h.frameLength) {
      header = h;
      break;
    }
  }
  if (!header) throw new RangeError("no bitrate holds the Xing and LAME tags");
  const out = new Uint8Array(header.frameLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, header.raw);
  let p = xingOffset(header);
  for (let i = 0; i < 4; i++) out[p + i] = spec.kind.charCodeAt(i);
  dv.setUint32(p + 4, XING_FLAG_FRAMES | XING_FLAG_BYTES | XING_FLAG_TOC | XING_FLAG_QUALITY);
  dv.setUint32(p + 8, spec.frames);
  dv.setUint32(p + 12, header.frameLength + spec.audioBytes);
  out.set(spec.toc, p + 16);
  dv.setUint32(p + 116, spec.quality);
  p += 120;
  const l = spec.lame;
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
  dv.setUint32(p + 28, header.frameLength + spec.audioBytes);
  dv.setUint16(p + 32, l.musicCrc);
  dv.setUint16(p + 34, crc16(out, 0, p + 34));
  return out;
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
