// The pure MP3 library on the bench's 60-minute episodes: index build time and size, bytes a miss reads, and
// the in-process cut of a 30 s clip against spawning FFmpeg with stream copy on the same local file.
import { execFile } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  buildSeekIndex,
  cutClip,
  decodeSeekIndex,
  encodeSeekIndex,
  type ByteSource,
  type SeekIndex,
} from "../../core/mp3/index.js";
import { quantile } from "../lib/quantile.js";
import { BENCH_EPISODES, benchEpisode, type BenchEpisode } from "./episodes.js";

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";

export type Mp3Row = Record<string, string | number>;

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

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

interface Episode {
  name: BenchEpisode;
  path: string;
  src: ByteSource;
  index: SeekIndex;
  indexBytes: number;
}

async function cutAt(episode: Episode, minute: number, runs: number, out: string): Promise<Mp3Row> {
  const { index, src } = episode;
  const startMs = minute * 60_000;
  const endMs = startMs + 30_000;
  const cutTimes: number[] = [];
  let clip = await cutClip(index, src, startMs, endMs);
  for (let i = 0; i < runs; i++) {
    const [c, ms] = await timed(() => cutClip(index, src, startMs, endMs));
    clip = c;
    cutTimes.push(ms);
  }
  const ffTimes: number[] = [];
  const ffArgs = ["-v", "error", "-y", "-ss", String(minute * 60), "-t", "30", "-i", episode.path, "-c", "copy", out];
  for (let i = 0; i < Math.min(runs, 10); i++) ffTimes.push((await timed(() => run(FFMPEG, ffArgs)))[1]);
  const read = clip.plan.span.end - clip.plan.span.start;
  return {
    source: episode.name,
    position_ms: startMs,
    clip_bytes: clip.bytes.length,
    source_bytes_warm: read,
    source_bytes_cold: read + episode.indexBytes,
    overhead_cold: read + episode.indexBytes - clip.bytes.length,
    lead_in_frames: clip.leadInFrames,
    carrier: clip.carrierFrame ? 1 : 0,
    cut_p50_ms: +quantile(cutTimes, 0.5).toFixed(2),
    cut_p95_ms: +quantile(cutTimes, 0.95).toFixed(2),
    ffmpeg_copy_p50_ms: +quantile(ffTimes, 0.5).toFixed(1),
    ffmpeg_copy_p95_ms: +quantile(ffTimes, 0.95).toFixed(1),
  };
}

/** One row per episode and clip position (minute 1 and 45). */
export async function benchMp3(runs: number, log: (line: string) => void): Promise<Mp3Row[]> {
  const rows: Mp3Row[] = [];
  const work = await mkdtemp(join(tmpdir(), "edgeclip-bench-mp3-"));
  try {
    const mp3 = (Object.keys(BENCH_EPISODES) as BenchEpisode[]).filter((n) => BENCH_EPISODES[n].ext === "mp3");
    for (const name of mp3) {
      const path = await benchEpisode(name, log);
      const src = await fileSource(path);
      const [index, buildMs] = await timed(() => buildSeekIndex(src));
      const encoded = encodeSeekIndex(index);
      decodeSeekIndex(encoded);
      log(
        `${name}: ${(src.size / 1e6).toFixed(1)} MB, ${index.frameCount} frames, stride ${index.stride}, ` +
          `index ${encoded.length} B, built in ${buildMs.toFixed(0)} ms (local file, full scan)`,
      );
      const episode = { name, path, src, index, indexBytes: encoded.length };
      for (const minute of [1, 45]) rows.push(await cutAt(episode, minute, runs, join(work, "ff.mp3")));
      await src.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

/** The rows as a table with aligned columns. */
export function mp3Table(rows: readonly Mp3Row[]): string[] {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] ?? 0)).join("  ");
  return [line(cols), ...rows.map((r) => line(cols.map((c) => String(r[c]))))];
}
