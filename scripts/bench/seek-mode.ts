/**
 * How the benchmark's FFmpeg baseline seeks in a source (only it copies; the origin re-encodes), from the one format check of the whole origin (core/mp3's
 * detector, which skips stacked ID3v2 tags the way the seek index does).
 *
 * - `copy-fast`: an MP3 that is constant bitrate (LAME "Info" tag) or has no VBR table. FFmpeg's fast
 *   seek computes the byte offset from the bitrate, which is exact for CBR, so only the clip's bytes
 *   are read.
 * - `copy-exact`: a VBR MP3 ("Xing"/"VBRI" tag). Fast seek would use the 100-entry table of contents and
 *   land up to seconds away from the requested start, so FFmpeg reads frame by frame up to the start.
 * - `encode`: not MPEG audio layer III (or free format, which FFmpeg cannot copy); the clip is re-encoded.
 */
import { detectFormat, type HeadReader, type SourceFormat } from "../../core/format/detect.js";
import type { SeekMode } from "../../origin/cut/ffmpeg-cut.js";
import type { AudioSource } from "../../origin/sources/audio-source.js";
import { newMeter } from "../../origin/sources/s3-source.js";

/** Reads bytes [start, start + length) of the source; may return fewer at the end of the object. */
export type RangeReader = HeadReader;

export function seekModeOf(format: SourceFormat): SeekMode {
  if (format.kind !== "mpeg" || format.layer !== 3 || format.freeFormat) return "encode";
  return format.vbr ? "copy-exact" : "copy-fast";
}

export async function detectSeekMode(read: RangeReader): Promise<SeekMode> {
  return seekModeOf(await detectFormat(read));
}

/** The seek mode of an episode's audio, read through the origin's own source (two small ranged reads). */
export async function seekModeOfSource(audio: AudioSource): Promise<SeekMode> {
  const meter = newMeter();
  const version = await audio.head(meter);
  const bytes = audio.bytes(version, meter);
  return detectSeekMode((start, length) =>
    start >= version.size
      ? Promise.resolve(new Uint8Array())
      : bytes.readRange(start, Math.min(version.size, start + length)),
  );
}
