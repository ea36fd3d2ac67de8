/**
 * How FFmpeg should seek in a source, decided from its first bytes (two small ranged reads).
 *
 * - `copy-fast`: an MP3 that is constant bitrate (LAME "Info" tag) or has no VBR table. FFmpeg's fast
 *   seek computes the byte offset from the bitrate, which is exact for CBR, so only the clip's bytes
 *   are read.
 * - `copy-exact`: a VBR MP3 ("Xing"/"VBRI" tag). Fast seek would use the 100-entry table of contents and
 *   land up to seconds away from the requested start, so FFmpeg reads frame by frame up to the start.
 * - `encode`: not MPEG audio layer III; the clip is re-encoded to MP3.
 *
 * Hand-written because only three magic strings are needed; a tag library would read far more.
 */
export type SeekMode = "copy-fast" | "copy-exact" | "encode";

/** Reads bytes [start, start + length) of the source; may return fewer at the end of the object. */
export type RangeReader = (start: number, length: number) => Promise<Uint8Array>;

const HEAD_BYTES = 4096;

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** Size of an ID3v2 tag starting at 0 (header, body and optional footer), or 0 when there is none. */
export function id3v2Size(bytes: Uint8Array): number {
  if (bytes.length < 10 || ascii(bytes, 0, 3) !== "ID3") return 0;
  const [b5 = 0, b6 = 0, b7 = 0, b8 = 0, b9 = 0] = bytes.subarray(5, 10);
  // Sizes are "syncsafe": 7 bits per byte.
  const body = (b6 << 21) | (b7 << 14) | (b8 << 7) | b9;
  const footer = b5 & 0x10 ? 10 : 0;
  return 10 + body + footer;
}

/** Classifies the first MPEG frame found at the start of `bytes` (after zero padding). */
export function classifyFirstFrame(bytes: Uint8Array): SeekMode {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const b0 = bytes[i];
  const b1 = bytes[i + 1];
  // Frame sync (11 set bits) and layer bits 01 = Layer III.
  if (b0 !== 0xff || b1 === undefined || (b1 & 0xe0) !== 0xe0 || (b1 & 0x06) !== 0x02) return "encode";
  // The VBR/Info tag sits after the 4-byte header and 9-32 bytes of side information.
  const window = ascii(bytes, i + 4, 40);
  if (window.includes("Xing") || window.includes("VBRI")) return "copy-exact";
  return "copy-fast";
}

export async function detectSeekMode(read: RangeReader): Promise<SeekMode> {
  const head = await read(0, HEAD_BYTES);
  const tagSize = id3v2Size(head);
  if (tagSize === 0) return classifyFirstFrame(head);
  // Cover art can make the tag megabytes long; read just past it instead of through it.
  const frame = tagSize + 64 <= head.length ? head.subarray(tagSize) : await read(tagSize, 1024);
  return classifyFirstFrame(frame);
}
