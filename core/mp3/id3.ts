/**
 * ID3 tags around MP3 audio: only their extent matters here, so the index can skip a cover-art
 * ID3v2 tag of any size without reading it and stop before a trailing ID3v1 tag.
 */

export const ID3V2_HEADER_LENGTH = 10;
export const ID3V1_LENGTH = 128;

/** A 28-bit "syncsafe" integer: four bytes of 7 bits each; null when a high bit is set. */
export function readSyncsafe(bytes: Uint8Array, offset: number): number | null {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const b = bytes[offset + i];
    if (b === undefined || b >= 0x80) return null;
    value = value * 128 + b;
  }
  return value;
}

/**
 * Total length of an ID3v2 tag (header, body and optional footer) that starts at `offset`, or null
 * when the 10 bytes there are not an ID3v2 header. Needs only those 10 bytes.
 */
export function id3v2TagLength(bytes: Uint8Array, offset = 0): number | null {
  if (offset + ID3V2_HEADER_LENGTH > bytes.length) return null;
  if (bytes[offset] !== 0x49 || bytes[offset + 1] !== 0x44 || bytes[offset + 2] !== 0x33) return null; // "ID3"
  const major = bytes[offset + 3] ?? 0xff;
  const minor = bytes[offset + 4] ?? 0xff;
  if (major === 0xff || minor === 0xff) return null;
  const flags = bytes[offset + 5] ?? 0;
  const size = readSyncsafe(bytes, offset + 6);
  if (size === null) return null;
  const hasFooter = major >= 4 && (flags & 0x10) !== 0;
  return ID3V2_HEADER_LENGTH + size + (hasFooter ? ID3V2_HEADER_LENGTH : 0);
}

/** True when these bytes (the last 128 of a file) are an ID3v1 tag. */
export function isId3v1(tail: Uint8Array): boolean {
  return tail.length === ID3V1_LENGTH && tail[0] === 0x54 && tail[1] === 0x41 && tail[2] === 0x47; // "TAG"
}

/** Encodes a syncsafe integer (for building test tags and for writers). */
export function writeSyncsafe(value: number, out: Uint8Array, offset: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 28)
    throw new RangeError(`syncsafe out of range: ${value}`);
  for (let i = 3; i >= 0; i--) {
    out[offset + i] = value & 0x7f;
    value = Math.floor(value / 128);
  }
}
