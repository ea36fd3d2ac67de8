// How close a clip is to what was asked: where its audio starts in the source (cross-correlation of
// decoded PCM) and how long it plays. Used by the origin tests and by `npm run bench`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

const RATE = 8000;

/** Mono 8 kHz PCM of [fromS, fromS + seconds) of a file, decoded with FFmpeg's accurate seeking. */
async function pcm(file: string, fromS: number, seconds: number): Promise<Int16Array> {
  const { stdout } = await run(
    "ffmpeg",
    [
      ...["-v", "error", "-nostdin", "-ss", fromS.toFixed(3), "-i", file, "-t", seconds.toFixed(3)],
      ...["-ac", "1", "-ar", String(RATE), "-f", "s16le", "-"],
    ],
    { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
  );
  const copy = new Uint8Array(stdout); // aligned copy for the Int16Array view
  return new Int16Array(copy.buffer, 0, Math.floor(copy.length / 2));
}

/**
 * Duration of what a decoder plays: FFmpeg's decode with the LAME tag's delay and padding trimmed, as
 * gapless players do. ffprobe's container duration counts the lead-in frames that trimming removes.
 */
export async function decodedDurationMs(file: string): Promise<number> {
  const { stdout: rate } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate", "-of", "csv=p=0", file],
  ]);
  const { stdout } = await run("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-ac", "1", "-f", "s16le", "-"], {
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  return ((stdout.length / 2) * 1000) / Number(rate.trim());
}

export interface Alignment {
  /** Where the clip's first sample is in the source, minus where it should be (ms). */
  offsetMs: number;
  /** Normalized correlation at the best lag: near 1 for the same audio, near 0 for unrelated audio. */
  correlation: number;
}

/**
 * Finds where a clip starts in its source by cross-correlating one second of decoded clip (skipping its
 * first 200 ms, where a cut without lead-in lacks the bit reservoir of the frames before it) against the
 * source within ±searchS of the expected start. Resolution: 1/8000 s. Hand-written: a brute-force dot
 * product is ~0.1 s for the windows used here, and no signal library is needed for that.
 */
export async function alignClip(
  source: string,
  clip: string,
  expectedStartMs: number,
  searchS = 1,
): Promise<Alignment> {
  const skipS = 0.2;
  const windowStartS = Math.max(0, expectedStartMs / 1000 - searchS);
  const [src, probe] = await Promise.all([pcm(source, windowStartS, 2 * searchS + 2), pcm(clip, skipS, 1)]);
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = 0; lag + probe.length <= src.length; lag++) {
    let acc = 0;
    for (let i = 0; i < probe.length; i++) acc += (probe[i] as number) * (src[lag + i] as number);
    if (acc > best) {
      best = acc;
      bestLag = lag;
    }
  }
  let energyProbe = 0;
  let energySrc = 0;
  for (let i = 0; i < probe.length; i++) {
    energyProbe += (probe[i] as number) ** 2;
    energySrc += (src[bestLag + i] as number) ** 2;
  }
  const clipStartS = windowStartS + bestLag / RATE - skipS;
  return {
    offsetMs: Math.round((clipStartS * 1000 - expectedStartMs) * 10) / 10,
    correlation: best / Math.sqrt(energyProbe * energySrc),
  };
}
