/**
 * How FFmpeg should seek in a source, from the one format check of the whole origin (core/mp3's
 * detector, which skips stacked ID3v2 tags the way the seek index does).
 *
 * - `copy-fast`: an MP3 that is constant bitrate (LAME "Info" tag) or has no VBR table. FFmpeg's fast
 *   seek computes the byte offset from the bitrate, which is exact for CBR, so only the clip's bytes
 *   are read.
 * - `copy-exact`: a VBR MP3 ("Xing"/"VBRI" tag). Fast seek would use the 100-entry table of contents and
 *   land up to seconds away from the requested start, so FFmpeg reads frame by frame up to the start.
 * - `encode`: not MPEG audio layer III (or free format, which FFmpeg cannot copy); the clip is re-encoded.
 */
import { detectFormat, type HeadReader, type SourceFormat } from "../core/mp3/index.js";

export type SeekMode = "copy-fast" | "copy-exact" | "encode";

/** Reads bytes [start, start + length) of the source; may return fewer at the end of the object. */
export type RangeReader = HeadReader;

export function seekModeOf(format: SourceFormat): SeekMode {
  if (format.kind !== "mpeg" || format.layer !== 3 || format.freeFormat) return "encode";
  return format.vbr ? "copy-exact" : "copy-fast";
}

export async function detectSeekMode(read: RangeReader): Promise<SeekMode> {
  return seekModeOf(await detectFormat(read));
}
