/**
 * The first-frame headers MP3 players read for duration, seeking and gapless playback:
 * Xing/Info (frames, bytes, 100-entry TOC, quality) followed by the LAME tag (encoder delay and
 * padding), and Fraunhofer's VBRI. Reading only; info-frame.ts writes them into clips. Layout: http://gabriel.mp3-tech.org/mp3infotag.html; offsets
 * follow FFmpeg's reader (libavformat/mp3dec.c), which ignores the CRC bytes when locating the tag.
 */
import { crc16 } from "./crc16.js";
import { decodeFrameHeader, readUint32BE, type FrameHeader } from "./frame-header.js";

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
