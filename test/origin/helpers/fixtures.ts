import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { probeDurationMs } from "./audio.js";

const run = promisify(execFile);

/** Generated audio lives here, git-ignored, never committed; reused across runs while its recipe is unchanged. */
export const FIXTURE_DIR = path.resolve(import.meta.dirname, "../../../.cache/fixtures");

export interface Fixture {
  name: string;
  file: string;
  /** As ffprobe measures the generated file (what a catalog would store as duration_ms). */
  durationMs: number;
}

interface Recipe {
  name: string;
  ext: string;
  audio: boolean;
  /** FFmpeg arguments after the global ones; `{out}` is replaced by the output path. */
  args: (out: string) => string[];
}

let ffmpegVersion: Promise<string> | undefined;

/**
 * Builds a fixture once: its file name carries a hash of the recipe and the FFmpeg version, so a changed
 * recipe or encoder makes a new file and an unchanged one is reused. Written to a temp name and renamed,
 * so a concurrent test file never reads half a fixture.
 */
async function build(recipe: Recipe): Promise<Fixture> {
  ffmpegVersion ??= run("ffmpeg", ["-version"]).then((r) => r.stdout.split("\n")[0] ?? "");
  const hash = createHash("sha256")
    .update(await ffmpegVersion)
    .update(JSON.stringify(recipe.args("{out}")))
    .digest("hex")
    .slice(0, 12);
  const file = path.join(FIXTURE_DIR, `${recipe.name}-${hash}.${recipe.ext}`);
  if (
    !(await stat(file).then(
      (s) => s.size > 0,
      () => false,
    ))
  ) {
    await mkdir(FIXTURE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.partial.${recipe.ext}`;
    try {
      await run("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-y", ...recipe.args(partial)]);
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
  }
  return { name: recipe.name, file, durationMs: recipe.audio ? await probeDurationMs(file) : 0 };
}

// Pink noise with a fixed seed: deterministic, and never periodic, so cross-correlating a clip with the
// source has exactly one best match, at the clip's true start.
const noise = (seconds: number, seed: number) => `anoisesrc=d=${seconds}:c=pink:r=44100:a=0.3:seed=${seed}`;

/** 10 minutes, constant 128 kbit/s, mono, with the LAME "Info" header. */
export const cbrTenMinutes = () =>
  build({
    name: "cbr-128k-10min",
    ext: "mp3",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(600, 42), "-ac", "1", "-c:a", "libmp3lame", "-b:a", "128k", out],
  });

const coverArt = () =>
  build({
    name: "cover-art",
    ext: "png",
    audio: false,
    // Uncompressed PNG of random pixels: ~480 KB, the size of a real cover image.
    args: (out) => [
      "-f",
      "lavfi",
      "-i",
      "nullsrc=s=400x400,geq=random(1)*255:128:128",
      "-frames:v",
      "1",
      "-compression_level",
      "0",
      out,
    ],
  });

/** 4 minutes of VBR (-q:a 4) stereo behind an ID3v2 tag with a title and ~480 KB of cover art. */
export async function vbrWithId3(): Promise<Fixture> {
  const cover = await coverArt();
  return build({
    name: "vbr-q4-id3",
    ext: "mp3",
    audio: true,
    args: (out) => [
      ...["-f", "lavfi", "-i", noise(240, 7), "-i", cover.file],
      ...["-map", "0:a", "-map", "1:v", "-ac", "2", "-c:a", "libmp3lame", "-q:a", "4", "-c:v", "copy"],
      ...["-id3v2_version", "3", "-metadata", "title=edgeclip VBR fixture", "-metadata:s:v", "title=Album cover"],
      ...["-metadata:s:v", "comment=Cover (front)", out],
    ],
  });
}

/** 20 s of AAC in MP4: not MP3, so the origin must re-encode instead of copying. */
export const aacTwentySeconds = () =>
  build({
    name: "aac-20s",
    ext: "m4a",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(20, 3), "-ac", "1", "-c:a", "aac", "-b:a", "96k", out],
  });

const aacArgs = ["-c:a", "aac", "-b:a", "128k"];

/** 20 s of ADTS AAC (`.aac`): not indexed, so the origin re-encodes it with FFmpeg. */
export const adtsTwentySeconds = () =>
  build({
    name: "adts-20s",
    ext: "aac",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(20, 5), "-ac", "1", ...aacArgs, "-f", "adts", out],
  });

/** 3 minutes of AAC-LC stereo in M4A, moov after mdat (FFmpeg's default, as most recorders write it). */
export const m4aMoovAtEnd = () =>
  build({
    name: "m4a-3min-moov-end",
    ext: "m4a",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(180, 11), "-ac", "2", ...aacArgs, out],
  });

/** The same, with the moov moved to the front (`-movflags +faststart`). */
export const m4aFaststart = () =>
  build({
    name: "m4a-3min-faststart",
    ext: "m4a",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(180, 11), "-ac", "2", ...aacArgs, "-movflags", "+faststart", out],
  });

/** A whole episode: 60 minutes of AAC-LC stereo, moov after mdat (its moov alone is ~600 KB). */
export const m4aHourMoovAtEnd = () =>
  build({
    name: "m4a-60min-moov-end",
    ext: "m4a",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(3600, 17), "-ac", "2", ...aacArgs, out],
  });

/** The same hour with the moov in front (`-movflags +faststart`). */
export const m4aHourFaststart = () =>
  build({
    name: "m4a-60min-faststart",
    ext: "m4a",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(3600, 17), "-ac", "2", ...aacArgs, "-movflags", "+faststart", out],
  });

/** AAC in MP4 under an `.mp3` name: the bytes, not the name, decide how it is cut. */
export const aacNamedMp3 = () =>
  build({
    name: "aac-named-mp3",
    ext: "mp3",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(60, 13), "-ac", "1", ...aacArgs, "-f", "mp4", out],
  });

/** 20 s of FLAC: neither index reads it, so the origin re-encodes it with FFmpeg. */
export const flacTwentySeconds = () =>
  build({
    name: "flac-20s",
    ext: "flac",
    audio: true,
    args: (out) => ["-f", "lavfi", "-i", noise(20, 17), "-ac", "1", "-c:a", "flac", out],
  });
