/**
 * What a source is, from its first bytes, never its name: the one format check of the origin. MP4/M4A is
 * told by its leading `ftyp` box; MPEG audio and ADTS AAC share the 12-bit sync and differ in the layer
 * bits (00 is ADTS). It skips every ID3v2 tag
 * the way the seek index does (re-taggers stack a v2.3 and a v2.4 tag), by declared length, so cover
 * art is never downloaded: one read of the head, plus one small read per tag that ends beyond it.
 */
import { decodeFrameHeader, readUint32BE, type MpegLayer } from "../mp3/frame-header.js";
import { ID3V1_LENGTH, ID3V2_HEADER_LENGTH, id3v2TagLength, isId3v1 } from "../mp3/id3.js";
import { xingOffset } from "../mp3/xing.js";

/** Reads [start, start + length); returns fewer bytes at the end of the source (none past it). */
export type HeadReader = (start: number, length: number) => Promise<Uint8Array>;

export type SourceFormat =
  | { kind: "empty" }
  /** ID3 tags (and at most an ID3v1 tag or zero padding) with no audio after them. */
  | { kind: "tags-only"; tags: number }
  | {
      kind: "mpeg";
      layer: MpegLayer;
      tags: number;
      /** Offset of the first frame header, after tags and zero padding. */
      audioStart: number;
      /** A Xing or VBRI table: variable bitrate, so FFmpeg's fast seek would land seconds off. */
      vbr: boolean;
      /** Bitrate index 0: frame lengths are not in the headers (the index cannot read such files). */
      freeFormat: boolean;
    }
  /** An ISO base media file (MP4, M4A, MOV-like) whose first box is `ftyp`; `brand` is its major brand. */
  | { kind: "mp4"; brand: string }
  /** ADTS AAC frames (the `.aac` files), after any ID3 tags. */
  | { kind: "adts"; tags: number; audioStart: number }
  | { kind: "other"; tags: number };

const HEAD_BYTES = 4096;
const FRAME_PEEK = 1024;
/** Stacked tags are two or three in the wild; a long chain of "tags" is not a tag. */
const MAX_TAGS = 16;

/** How a refusal names what was found, e.g. "0 bytes", "an ID3 tag and no audio". */
export function describeFormat(format: SourceFormat): string {
  switch (format.kind) {
    case "empty":
      return "0 bytes";
    case "tags-only":
      return format.tags > 1 ? `${format.tags} ID3 tags and no audio` : "an ID3 tag and no audio";
    case "mpeg":
      return `MPEG audio layer ${"I".repeat(format.layer)}${format.freeFormat ? " (free format)" : ""}`;
    case "mp4":
      return `MP4 (brand ${JSON.stringify(format.brand)})`;
    case "adts":
      return "ADTS AAC";
    case "other":
      return "not MPEG audio";
  }
}

export async function detectFormat(read: HeadReader): Promise<SourceFormat> {
  let base = 0;
  let buf = await read(0, HEAD_BYTES);
  let eof = buf.length < HEAD_BYTES;
  if (buf.length === 0) return { kind: "empty" };
  const mp4 = ftypBrand(buf);
  if (mp4 !== undefined) return { kind: "mp4", brand: mp4 };
  let pos = 0;
  /** The bytes from `pos`, at least `n` of them unless the source ends first. */
  const peek = async (n: number): Promise<Uint8Array> => {
    if (pos + n > base + buf.length && !(eof && pos <= base + buf.length)) {
      const want = Math.max(n, FRAME_PEEK);
      base = pos;
      buf = await read(pos, want);
      eof = buf.length < want;
    }
    return buf.subarray(Math.min(buf.length, pos - base));
  };
  let tags = 0;
  for (; tags < MAX_TAGS; tags++) {
    const length = id3v2TagLength(await peek(ID3V2_HEADER_LENGTH));
    if (length === null) break;
    pos += length;
  }
  // Zero padding after a tag (some writers reserve room to grow the tag in place).
  for (let rest = await peek(FRAME_PEEK); rest.length > 0 && rest[0] === 0; rest = await peek(FRAME_PEEK)) {
    const zeros = rest.findIndex((b) => b !== 0);
    pos += zeros < 0 ? rest.length : zeros;
  }
  const rest = await peek(FRAME_PEEK);
  if (rest.length === 0 || (rest.length === ID3V1_LENGTH && isId3v1(rest))) {
    return tags > 0 ? { kind: "tags-only", tags } : { kind: "other", tags };
  }
  if (isAdtsHeader(rest)) return { kind: "adts", tags, audioStart: pos };
  const raw = readUint32BE(rest, 0);
  const layerBits = (raw >>> 17) & 3;
  const versionBits = (raw >>> 19) & 3;
  if (rest.length < 4 || (raw & 0xffe00000) >>> 0 !== 0xffe00000 || layerBits === 0 || versionBits === 1) {
    return { kind: "other", tags };
  }
  const layer = (4 - layerBits) as MpegLayer;
  const freeFormat = ((raw >>> 12) & 15) === 0;
  const header = decodeFrameHeader(raw);
  if (!header && !freeFormat) return { kind: "other", tags };
  let vbr = false;
  if (header && layer === 3) {
    const tagAt = xingOffset(header);
    vbr =
      String.fromCharCode(...rest.subarray(tagAt, tagAt + 4)) === "Xing" ||
      String.fromCharCode(...rest.subarray(36, 40)) === "VBRI";
  }
  return { kind: "mpeg", layer, tags, audioStart: pos, vbr, freeFormat };
}

/** The major brand when the source starts with an `ftyp` box (size >= 16 and printable brand bytes). */
function ftypBrand(head: Uint8Array): string | undefined {
  if (head.length < 16 || String.fromCharCode(...head.subarray(4, 8)) !== "ftyp") return undefined;
  const size = readUint32BE(head, 0);
  if (size !== 1 && size < 16) return undefined;
  const brand = head.subarray(8, 12);
  if (!brand.every((b) => b >= 0x20 && b < 0x7f)) return undefined;
  return String.fromCharCode(...brand);
}

/** An ADTS header: sync, layer 00, a valid sampling index, a frame length a following header can follow. */
export function isAdtsHeader(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 7) return false;
  const b1 = b[at + 1] ?? 0;
  const b2 = b[at + 2] ?? 0;
  if (b[at] !== 0xff || (b1 & 0xf6) !== 0xf0) return false;
  if (((b2 >> 2) & 15) > 12) return false;
  const length = ((b[at + 3] ?? 0) & 3) * 2048 + (b[at + 4] ?? 0) * 8 + ((b[at + 5] ?? 0) >> 5);
  return length >= 7;
}
