/**
 * MP3 fixtures made by FFmpeg's lavfi sources (never committed): each is generated once into
 * .cache/fixtures/mp3/, named by a hash of its recipe so a changed recipe makes a new file, and
 * written under a temporary name first so parallel test files never see half a fixture.
 * Also the FFmpeg/ffprobe helpers the MP3 tests use as the reference decoder.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cachedFfmpegFixture, FFMPEG } from "../helpers/ffmpeg-fixture.js";

const run = promisify(execFile);
export { FFMPEG };
export const FFPROBE = process.env.FFPROBE_PATH ?? "ffprobe";
export const FIXTURE_DIR = fileURLToPath(new URL("../../../.cache/fixtures/mp3/", import.meta.url));

/**
 * Speech-like test signal: a warbling tone plus noise, with pauses every few seconds (the pauses
 * make VBR encoders emit tiny frames that lean on the bit reservoir), and a different right channel.
 */
function signal(seconds: number): string {
  const gate = "gt(sin(2*PI*0.2*t)\\,-0.5)";
  const left = `(0.3*sin(2*PI*(300+200*sin(2*PI*0.3*t))*t)+0.05*(random(0)-0.5))*${gate}`;
  const right = `(0.2*sin(2*PI*440*t)*sin(2*PI*0.5*t)+0.04*(random(1)-0.5))*${gate}`;
  return `aevalsrc=${left}|${right}:s=44100:d=${seconds}`;
}

interface Recipe {
  seconds: number;
  /** Output options (encoder, rate, channels, muxer flags). */
  args: string[];
  /** Attach a noise PNG of about 340 KB as ID3v2 cover art. */
  cover?: boolean;
}

export const RECIPES = {
  cbr: { seconds: 40, args: ["-c:a", "libmp3lame", "-b:a", "128k"] },
  vbr: { seconds: 40, args: ["-c:a", "libmp3lame", "-q:a", "4"] },
  mpeg2: { seconds: 30, args: ["-ar", "22050", "-c:a", "libmp3lame", "-b:a", "64k"] },
  mpeg25Mono: { seconds: 30, args: ["-ar", "11025", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k"] },
  mono: { seconds: 30, args: ["-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k"] },
  bigId3: {
    seconds: 20,
    cover: true,
    args: [
      ...["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3", "-write_id3v1", "1"],
      ...["-metadata", "title=edgeclip fixture", "-metadata:s:v", "title=Album cover"],
    ],
  },
  noXing: { seconds: 20, args: ["-c:a", "libmp3lame", "-b:a", "96k", "-write_xing", "0"] },
  vbr48Mono: { seconds: 30, args: ["-ar", "48000", "-ac", "1", "-c:a", "libmp3lame", "-q:a", "4"] },
  mono8k: { seconds: 30, args: ["-ar", "8000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "16k"] },
} satisfies Record<string, Recipe>;

export type FixtureName = keyof typeof RECIPES;

function ffmpegArgs(recipe: Recipe, out: string): string[] {
  const args = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", signal(recipe.seconds)];
  if (recipe.cover) {
    const noise = "nullsrc=s=480x480:d=1,format=rgb24,geq=r='random(1)*255':g='random(2)*255':b='random(3)*255'";
    args.push("-f", "lavfi", "-i", noise, "-map", "0:a", "-map", "1:v", "-frames:v", "1", "-c:v", "png");
    args.push("-disposition:v", "attached_pic");
  }
  return [...args, ...recipe.args, "-f", "mp3", out];
}

/** Path of the fixture, generating it on first use. */
export async function fixture(name: FixtureName): Promise<string> {
  const recipe: Recipe = RECIPES[name];
  return cachedFfmpegFixture(FIXTURE_DIR, name, "mp3", [signal(recipe.seconds), recipe], (out) =>
    ffmpegArgs(recipe, out),
  );
}

export async function fixtureBytes(name: FixtureName): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await fixture(name)));
}

/** Writes bytes to a temporary .mp3 for FFmpeg to read; returns the path and a cleanup. */
export function tempMp3(bytes: Uint8Array): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "edgeclip-mp3-"));
  const path = join(dir, "clip.mp3");
  writeFileSync(path, bytes);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** FFmpeg's decode (gapless trimming applied), interleaved float samples. */
export async function decodePcm(path: string): Promise<Float32Array> {
  const { stdout } = await run(
    FFMPEG,
    ["-v", "error", "-i", path, "-map", "0:a", "-f", "f32le", "-c:a", "pcm_f32le", "-"],
    {
      encoding: "buffer",
      maxBuffer: 1 << 30,
    },
  );
  const copy = new Uint8Array(stdout);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

export interface ProbedPacket {
  pts: number;
  pos: number;
  size: number;
}

/** ffprobe's view of the audio stream: every packet (frame) with its pts and byte position. */
export async function probePackets(path: string): Promise<{ packets: ProbedPacket[]; timeBase: number }> {
  const { stdout } = await run(
    FFPROBE,
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-show_entries",
      "stream=time_base:packet=pts,pos,size",
      "-of",
      "json",
      path,
    ],
    { maxBuffer: 1 << 28 },
  );
  const json = JSON.parse(stdout) as {
    packets: { pts: number; pos: string; size: string }[];
    streams: { time_base: string }[];
  };
  const [num, den] = (json.streams[0]?.time_base ?? "1/1").split("/").map(Number);
  return {
    packets: json.packets.map((p) => ({ pts: p.pts, pos: Number(p.pos), size: Number(p.size) })),
    timeBase: (num ?? 1) / (den ?? 1),
  };
}

export interface ProbedStream {
  sampleRate: number;
  channels: number;
  packets: number;
  durationS: number;
}

export async function probeStream(path: string): Promise<ProbedStream> {
  const { stdout } = await run(FFPROBE, [
    ...["-v", "error", "-count_packets", "-select_streams", "a:0"],
    ...["-show_entries", "stream=sample_rate,channels,nb_read_packets,duration", "-of", "json", path],
  ]);
  const s = (JSON.parse(stdout) as { streams: Record<string, string | number>[] }).streams[0] ?? {};
  return {
    sampleRate: Number(s.sample_rate),
    channels: Number(s.channels),
    packets: Number(s.nb_read_packets),
    durationS: Number(s.duration),
  };
}
