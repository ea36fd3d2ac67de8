import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface AudioProbe {
  durationMs: number;
  codec: string;
  formatName: string;
}

/** ffprobe decides what is audio; anything it cannot read, or without an audio stream, is refused. */
export async function probeAudio(input: string): Promise<AudioProbe> {
  const ffprobe = process.env.FFPROBE_PATH || "ffprobe";
  let stdout: string;
  try {
    ({ stdout } = await run(
      ffprobe,
      [
        "-v",
        "error",
        "-show_entries",
        "format=duration,format_name:stream=codec_type,codec_name",
        "-of",
        "json",
        input,
      ],
      { timeout: 60_000 },
    ));
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split("\n").at(-1) ?? String(err);
    throw new Error(`not an audio file ffprobe can read: ${input} (${detail})`);
  }
  const info = JSON.parse(stdout) as {
    format?: { duration?: string; format_name?: string };
    streams?: { codec_type?: string; codec_name?: string }[];
  };
  const audio = info.streams?.find((s) => s.codec_type === "audio");
  const seconds = Number(info.format?.duration);
  if (!audio || !Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`not an audio file: ${input} has no audio stream with a duration`);
  }
  return {
    durationMs: Math.round(seconds * 1000),
    codec: audio.codec_name ?? "?",
    formatName: info.format?.format_name ?? "?",
  };
}
