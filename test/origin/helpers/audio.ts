import { execFile } from "node:child_process";
import { promisify } from "node:util";

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
