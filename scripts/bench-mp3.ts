/**
 * Measures the pure MP3 library on 60-minute episodes (not a test: numbers, no assertions):
 * index build time and size, bytes a miss reads, and the in-process cut of a 30 s clip against
 * spawning FFmpeg with stream copy on the same local file.
 *
 *   npx tsx scripts/bench-mp3.ts [--runs N] [--json]
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BENCH_EPISODES, benchEpisode, type BenchEpisode } from "./bench/episodes.js";
import { buildSeekIndex, cutClip, decodeSeekIndex, encodeSeekIndex, type ByteSource } from "../core/mp3/index.js";

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const DIR = fileURLToPath(new URL("../.cache/fixtures/mp3/", import.meta.url));
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1]) || 20;
const JSON_OUT = args.includes("--json");
const log = (line: string): void => void (JSON_OUT ? process.stderr : process.stdout).write(`${line}\n`);

const EPISODES = BENCH_EPISODES;
const episode = (name: BenchEpisode) => benchEpisode(name, log);

async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await open(path);
  const { size } = await fh.stat();
  return {
    size,
    async readRange(start, end) {
      const buf = new Uint8Array(end - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

const rows: Record<string, string | number>[] = [];
const work = await mkdtemp(join(tmpdir(), "edgeclip-bench-mp3-"));
try {
  for (const name of Object.keys(EPISODES) as (keyof typeof EPISODES)[]) {
    const path = await episode(name);
    const src = await fileSource(path);
    const [index, buildMs] = await timed(() => buildSeekIndex(src));
    const encoded = encodeSeekIndex(index);
    decodeSeekIndex(encoded);
    log(
      `${name}: ${(src.size / 1e6).toFixed(1)} MB, ${index.frameCount} frames, stride ${index.stride}, ` +
        `index ${encoded.length} B, built in ${buildMs.toFixed(0)} ms (local file, full scan)`,
    );
    for (const minute of [1, 45]) {
      const startMs = minute * 60_000;
      const endMs = startMs + 30_000;
      const cutTimes: number[] = [];
      let clip = await cutClip(index, src, startMs, endMs);
      for (let i = 0; i < RUNS; i++) {
        const [c, ms] = await timed(() => cutClip(index, src, startMs, endMs));
        clip = c;
        cutTimes.push(ms);
      }
      const ffTimes: number[] = [];
      const out = join(work, "ff.mp3");
      for (let i = 0; i < Math.min(RUNS, 10); i++) {
        const [, ms] = await timed(() =>
          run(FFMPEG, ["-v", "error", "-y", "-ss", String(minute * 60), "-t", "30", "-i", path, "-c", "copy", out]),
        );
        ffTimes.push(ms);
      }
      const read = clip.plan.span.end - clip.plan.span.start;
      rows.push({
        source: name,
        position_ms: startMs,
        clip_bytes: clip.bytes.length,
        source_bytes_warm: read,
        source_bytes_cold: read + encoded.length,
        overhead_cold: read + encoded.length - clip.bytes.length,
        lead_in_frames: clip.leadInFrames,
        carrier: clip.carrierFrame ? 1 : 0,
        cut_p50_ms: +quantile(cutTimes, 0.5).toFixed(2),
        cut_p95_ms: +quantile(cutTimes, 0.95).toFixed(2),
        ffmpeg_copy_p50_ms: +quantile(ffTimes, 0.5).toFixed(1),
        ffmpeg_copy_p95_ms: +quantile(ffTimes, 0.95).toFixed(1),
      });
    }
    await src.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
  rmSync(join(DIR, "ff.mp3"), { force: true });
}

const cols = Object.keys(rows[0] ?? {});
const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
log(cols.map((c, i) => c.padEnd(width[i] ?? 0)).join("  "));
for (const r of rows) log(cols.map((c, i) => String(r[c]).padEnd(width[i] ?? 0)).join("  "));
if (JSON_OUT) process.stdout.write(`${JSON.stringify({ cases: rows })}\n`);
