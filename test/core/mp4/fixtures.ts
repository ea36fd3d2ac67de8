/**
 * MP4/M4A/ADTS fixtures made by FFmpeg (never committed), cached in .cache/fixtures/mp4/ under a hash of
 * their recipe like the MP3 ones, written under a temporary name first so parallel files never see half.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { cachedFfmpegFixture } from "../helpers/ffmpeg-fixture.js";

const FIXTURE_DIR = fileURLToPath(new URL("../../../.cache/fixtures/mp4/", import.meta.url));

/** The MP3 tests' speech-like signal: tones, noise and pauses, a different right channel. */
function signal(seconds: number, rate: number): string {
  const gate = "gt(sin(2*PI*0.2*t)\\,-0.5)";
  const left = `(0.3*sin(2*PI*(300+200*sin(2*PI*0.3*t))*t)+0.05*(random(0)-0.5))*${gate}`;
  const right = `(0.2*sin(2*PI*440*t)*sin(2*PI*0.5*t)+0.04*(random(1)-0.5))*${gate}`;
  return `aevalsrc=${left}|${right}:s=${rate}:d=${seconds}`;
}

interface Recipe {
  seconds: number;
  rate: number;
  args: string[];
  ext: "m4a" | "mp4" | "aac" | "mp3";
  /** Add a small video track in front of the audio (a video podcast). */
  video?: boolean;
}

/**
 * Perceptual noise substitution off: a PNS band decodes to fresh random noise whose generator state depends on
 * where decoding began, so a clip's decode could not equal the source's bit for bit (it differs in ~1 % of
 * packets, measured); without it the tests can demand exact samples.
 */
const NO_PNS = ["-aac_pns", "0"];
const AAC = ["-c:a", "aac", "-b:a", "128k", ...NO_PNS];

export const AAC_RECIPES = {
  /** FFmpeg's default: moov after mdat. */
  moovAtEnd: { seconds: 40, rate: 44100, args: [...AAC, "-f", "mp4"], ext: "m4a" },
  faststart: { seconds: 40, rate: 44100, args: [...AAC, "-movflags", "+faststart", "-f", "mp4"], ext: "m4a" },
  mono48: {
    seconds: 30,
    rate: 48000,
    args: ["-ac", "1", "-c:a", "aac", "-b:a", "64k", ...NO_PNS, "-f", "mp4"],
    ext: "m4a",
  },
  /** AAC in MP4 under an .mp3 name: the bytes decide. */
  mislabelled: { seconds: 20, rate: 44100, args: [...AAC, "-f", "mp4"], ext: "mp3" },
  adts: { seconds: 20, rate: 44100, args: [...AAC, "-f", "adts"], ext: "aac" },
  video: {
    seconds: 20,
    rate: 44100,
    args: [...AAC, "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4"],
    ext: "mp4",
    video: true,
  },
} satisfies Record<string, Recipe>;

export type AacFixtureName = keyof typeof AAC_RECIPES;

function ffmpegArgs(recipe: Recipe, out: string): string[] {
  const args = ["-hide_banner", "-loglevel", "error", "-y"];
  if (recipe.video) args.push("-f", "lavfi", "-i", `testsrc=s=160x120:r=10:d=${recipe.seconds}`);
  args.push("-f", "lavfi", "-i", signal(recipe.seconds, recipe.rate));
  if (recipe.video) args.push("-map", "0:v", "-map", "1:a");
  return [...args, ...recipe.args, out];
}

export async function aacFixture(name: AacFixtureName): Promise<string> {
  const recipe: Recipe = AAC_RECIPES[name];
  return cachedFfmpegFixture(FIXTURE_DIR, name, recipe.ext, [signal(recipe.seconds, recipe.rate), recipe], (out) =>
    ffmpegArgs(recipe, out),
  );
}

export async function aacFixtureBytes(name: AacFixtureName): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await aacFixture(name)));
}
