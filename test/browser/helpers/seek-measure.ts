/**
 * Where recorded browser audio sits in a clip: the clip decoded by FFmpeg at the browser's rate, and the
 * lag that best matches the recording (normalized cross-correlation, brute force over ±0.6 s around the
 * seek target; resolution one sample). Hand-written like scripts/lib/audio-compare.ts, for the same reason.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function decodeMono(file: string, rate: number): Promise<Float32Array> {
  const { stdout } = await run(
    "ffmpeg",
    ["-v", "error", "-nostdin", "-i", file, "-ac", "1", "-ar", String(rate), "-f", "f32le", "-c:a", "pcm_f32le", "-"],
    { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
  );
  const copy = new Uint8Array(stdout);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.length / 4));
}

/** Position (s) in `clip` of the recording's first sample, and the correlation there. */
export function locate(
  clip: Float32Array,
  rec: Float32Array,
  rate: number,
  aroundS: number,
): { atS: number; correlation: number } {
  const n = Math.min(rec.length, 4096);
  const from = Math.max(0, Math.round((aroundS - 0.6) * rate));
  const to = Math.min(clip.length - n, Math.round((aroundS + 0.6) * rate));
  let energyRec = 0;
  for (let i = 0; i < n; i++) energyRec += (rec[i] ?? 0) ** 2;
  let best = -Infinity;
  let bestLag = from;
  for (let lag = from; lag <= to; lag++) {
    let acc = 0;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const c = clip[lag + i] ?? 0;
      acc += (rec[i] ?? 0) * c;
      e += c * c;
    }
    const score = acc / Math.sqrt(energyRec * e || 1);
    if (score > best) [best, bestLag] = [score, lag];
  }
  return { atS: bestLag / rate, correlation: best };
}
