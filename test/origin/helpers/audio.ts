import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "vitest";
import { alignClip, decodedDurationMs } from "../../../scripts/lib/audio-compare.js";

const run = promisify(execFile);

export { alignClip, decodedDurationMs, type Alignment } from "../../../scripts/lib/audio-compare.js";

/** Duration in ms as ffprobe reports it (from the Xing/Info frame count when the file has one). */
export async function probeDurationMs(file: string): Promise<number> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]);
  return Math.round(Number(stdout.trim()) * 1000);
}

export async function probeCodec(file: string): Promise<string> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file],
  ]);
  return stdout.trim();
}

/** How far a clip may be from what was asked: its decoded length, and where its audio starts in the source. */
export interface CutTolerance {
  lengthMs: number;
  startMs: number;
}

/** The clip is the source's audio from startMs for durationMs (within the tolerance). */
export async function expectCutFrom(
  sourceFile: string,
  clipFile: string,
  startMs: number,
  durationMs: number,
  within: CutTolerance,
): Promise<void> {
  expect(Math.abs((await decodedDurationMs(clipFile)) - durationMs)).toBeLessThanOrEqual(within.lengthMs);
  const aligned = await alignClip(sourceFile, clipFile, startMs);
  expect(aligned.correlation).toBeGreaterThan(0.9);
  expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(within.startMs);
}
