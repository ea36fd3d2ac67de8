// The scale row of `npm run bench` (#15): 200 distinct new clips at once through the edge (the deployed Worker
// bundle in workerd, with its rate limits, one listener address each) → the local API Gateway stand-in → the
// origin → FerretDB/versitygw; then the longest clip (5 min at 320 kb/s) alone. The origin runs in this process,
// so its memory is this process's: peak RSS is sampled while the requests run.
import { rm } from "node:fs/promises";
import path from "node:path";
import { Miniflare } from "miniflare";
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { quantile } from "../lib/quantile.js";
import { buildWorkerBundle } from "../lib/worker-bundle.js";

export const SCALE_MISSES = 200;

export interface ScaleFigures {
  misses: number;
  wall_ms: number;
  clips_per_s: number;
  p50_ms: number;
  p95_ms: number;
  /** How many answers each layer gave (all should be "generated"), and each status. */
  layers: Record<string, number>;
  statuses: Record<string, number>;
  /** What the origin logged for its 5xx answers, by error (code and message), if any. */
  origin_errors: Record<string, number>;
  rss_before_mib: number;
  rss_peak_mib: number;
  long_clip: { bytes: number; ms: number; layer: string | null; rss_peak_mib: number };
}

const mib = (n: number) => Math.round(n / 2 ** 20);

/** The highest RSS seen while `work` runs, sampled every 5 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

async function get(mf: Miniflare, url: string, ip: string) {
  const t0 = performance.now();
  const res = await mf.dispatchFetch(url, { headers: { "cf-connecting-ip": ip } });
  const bytes = (await res.arrayBuffer()).byteLength;
  // A refusal under load is a figure of this row, not a reason to lose the run: it is counted and printed.
  return { ms: performance.now() - t0, bytes, status: res.status, layer: res.headers.get(CLIP_HEADERS.layer) };
}

export async function benchScale(opts: {
  originUrl: string;
  secret: string;
  /** A 60-minute episode to cut the 200 clips from, and the 6-minute 320 kb/s one. */
  episode: string;
  longEpisode: string;
  log: (line: string) => void;
  /** The origin's 5xx log lines so far, by error. */
  originErrors: () => Record<string, number>;
}): Promise<ScaleFigures> {
  opts.log("scale: building the Worker and starting it in workerd…");
  const bundle = await buildWorkerBundle();
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle.script,
    modulesRoot: path.dirname(bundle.script),
    compatibilityDate: "2026-04-01",
    r2Buckets: ["CLIPS"],
    // The deployed limits (wrangler.toml); every request comes from its own address, as 200 listeners would.
    ratelimits: {
      GENERATE_BURST: { simple: { limit: 50, period: 10 } },
      GENERATE_SUSTAINED: { simple: { limit: 150, period: 60 } },
    },
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
    bindings: { ORIGIN_URL: opts.originUrl, ORIGIN_SECRET: opts.secret, ORIGIN_TIMEOUT_MS: "60000" },
  });
  try {
    const edge = await mf.ready;
    const url = (episode: string, start: number, duration: number) =>
      new URL(clipPath(episode, { start_time_ms: start, duration_ms: duration }), edge).toString();
    opts.log(`scale: ${SCALE_MISSES} distinct 30 s misses at once…`);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const { result, peak } = await peakRss(() =>
      Promise.all(
        Array.from({ length: SCALE_MISSES }, (_, i) =>
          get(mf, url(opts.episode, 120_000 + i * 15_017, 30_000), `10.1.${i >> 8}.${i & 255}`),
        ),
      ),
    );
    const wall = performance.now() - t0;
    const layers: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    for (const r of result) {
      layers[r.layer ?? "none"] = (layers[r.layer ?? "none"] ?? 0) + 1;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    opts.log("scale: the longest clip, 5 min at 320 kb/s…");
    const long = await peakRss(() => get(mf, url(opts.longEpisode, 30_000, 300_000), "10.2.0.1"));
    const times = result.map((r) => r.ms);
    return {
      misses: SCALE_MISSES,
      wall_ms: Math.round(wall),
      clips_per_s: Math.round((SCALE_MISSES / wall) * 10_000) / 10,
      p50_ms: Math.round(quantile(times, 0.5)),
      p95_ms: Math.round(quantile(times, 0.95)),
      layers,
      statuses,
      origin_errors: opts.originErrors(),
      rss_before_mib: mib(before),
      rss_peak_mib: mib(peak),
      long_clip: {
        bytes: long.result.bytes,
        ms: Math.round(long.result.ms),
        layer: long.result.status === 200 ? long.result.layer : `status ${long.result.status}`,
        rss_peak_mib: mib(long.peak),
      },
    };
  } finally {
    await mf.dispose();
    await rm(bundle.dir, { recursive: true, force: true });
  }
}

export function scaleLines(log: (line: string) => void, s: ScaleFigures): void {
  log(
    `\nscale: ${s.misses} distinct new 30 s clips at once, workerd edge → local API Gateway → origin → FerretDB/versitygw`,
  );
  log(
    `  ${s.clips_per_s} clips/s (${s.wall_ms} ms for all), per request p50 ${s.p50_ms} ms, p95 ${s.p95_ms} ms; ` +
      `statuses ${JSON.stringify(s.statuses)}, layers ${JSON.stringify(s.layers)}`,
  );
  if (Object.keys(s.origin_errors).length > 0) log(`  origin 5xx: ${JSON.stringify(s.origin_errors)}`);
  log(`  origin process RSS ${s.rss_before_mib} MiB before, peak ${s.rss_peak_mib} MiB (bench and origin share it)`);
  log(
    `  longest clip (5 min at 320 kb/s, ${(s.long_clip.bytes / 2 ** 20).toFixed(1)} MiB, ${s.long_clip.layer}): ` +
      `${s.long_clip.ms} ms, peak RSS ${s.long_clip.rss_peak_mib} MiB`,
  );
}
