// The benchmark's 60-minute episodes (CBR and VBR MP3, AAC in M4A), generated once with FFmpeg into .cache
// (never committed).
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const DIR = fileURLToPath(new URL("../../.cache/fixtures/mp3/", import.meta.url));

export const BENCH_EPISODES = {
  "cbr128-60min": { args: ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"], ext: "mp3" },
  "vbr-q4-60min": { args: ["-c:a", "libmp3lame", "-q:a", "4", "-f", "mp3"], ext: "mp3" },
  // FFmpeg's default layout: the moov after the audio, as most recorders write it.
  "aac128-60min": { args: ["-c:a", "aac", "-b:a", "128k", "-f", "mp4"], ext: "m4a" },
} as const;

export type BenchEpisode = keyof typeof BENCH_EPISODES;

/** The scale row's longest clip (#15): 5 minutes at 320 kb/s, cut from a 6-minute episode. */
export const LONG_EPISODE = {
  name: "cbr320-6min",
  args: ["-c:a", "libmp3lame", "-b:a", "320k", "-f", "mp3"],
  ext: "mp3",
  seconds: 360,
} as const;

export function benchEpisode(name: BenchEpisode, log: (line: string) => void): Promise<string> {
  return generated(name, BENCH_EPISODES[name], 3600, log);
}

export function longEpisode(log: (line: string) => void): Promise<string> {
  return generated(LONG_EPISODE.name, LONG_EPISODE, LONG_EPISODE.seconds, log);
}

/**
 * Pink noise plus a pulsing tone: cheap to generate for an hour, not trivially compressible, and never
 * periodic, so cross-correlating a clip with the source has one clear best match.
 */
async function generated(
  name: string,
  encode: { args: readonly string[]; ext: string },
  seconds: number,
  log: (line: string) => void,
): Promise<string> {
  const path = join(DIR, `bench-${name}.${encode.ext}`);
  if (existsSync(path)) return path;
  mkdirSync(DIR, { recursive: true });
  log(`generating ${path} (once, about a minute)…`);
  const tmp = `${path}.${process.pid}.tmp`;
  await run(process.env.FFMPEG_PATH ?? "ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `anoisesrc=d=${seconds}:c=pink:r=44100:a=0.08`],
    ...["-f", "lavfi", "-i", `sine=f=220:r=44100:d=${seconds}`],
    ...["-filter_complex", "[1]volume=0.2,apulsator=hz=0.3[t];[0][t]amix=inputs=2,aformat=channel_layouts=stereo"],
    ...encode.args,
    tmp,
  ]);
  renameSync(tmp, path);
  return path;
}
