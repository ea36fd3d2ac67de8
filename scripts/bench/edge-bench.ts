// The edge half of `npm run bench` and all of `npm run bench:edge`: the cost of an edge hit in workerd, against a baseline Worker that
// returns a constant body of the same size, in the same run (so the ratio, not the absolute, is the figure), and
// against the floor of any design that serves from the Cache API: a Worker that only answers `caches.default.match`
// as it is (scripts/bench/edge-workers.ts). The edge as deployed answers a hot clip from its isolate's memory; the
// same edge with the memory layer off shows what a hit read from the Cache API costs. Two sizes: a 30 s clip,
// where moving the bytes dominates, and a small one, where the per-request work of the edge (routing, parsing,
// the lookup) shows.
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { rm } from "node:fs/promises";
import { quantile } from "../lib/quantile.js";
import { buildWorkerBundle } from "../lib/worker-bundle.js";
import { MEASURE_PLAN, measureRound, type BenchCase, type Figures } from "./edge-measure.js";
import { BASELINE_PATH, CACHE_ONLY_HOST, FLOOR_PATH, ORIGINAL_URL_HEADER, startWorkers } from "./edge-workers.js";

const SIZES = [
  { label: "30 s clip (480 KB)", bytes: 480_000 }, // 128 kbit/s
  { label: "small body (8 KB)", bytes: 8_000 },
];
// Each round measures every case, and the median of each figure over the rounds is reported: on a 2-core machine
// one round's numbers swing by tens of percent.
const ROUNDS = 5;

function medianFigures(rounds: Figures[]): Figures {
  const median = (pick: (f: Figures) => number) => quantile(rounds.map(pick), 0.5);
  const sum = (pick: (f: Figures) => number) => rounds.reduce((total, f) => total + pick(f), 0);
  return {
    name: (rounds[0] as Figures).name,
    p50_ms: median((f) => f.p50_ms),
    p95_ms: median((f) => f.p95_ms),
    requests_per_s: median((f) => f.requests_per_s),
    fallbacks: sum((f) => f.fallbacks),
    answers: sum((f) => f.answers),
  };
}

export interface EdgeRow extends Figures {
  size: string;
  bytes: number;
}

export interface EdgeRatio {
  size: string;
  /** The edge hit (as deployed: a hot clip from the isolate's memory) against the constant body. */
  p50: number;
  throughput: number;
  /** The edge hit with the memory layer off (read from the Cache API) against the constant body. */
  cache_p50: number;
  cache_throughput: number;
  /** The cache-match-only floor against the constant body: what any Cache API design pays in workerd. */
  floor_p50: number;
  floor_throughput: number;
  /** The Cache API hit against that floor: what our own code adds to it. */
  over_floor_p50: number;
  over_floor_throughput: number;
  /** Of the edge hit's measured answers, the share its memory served (the rest: the edge cache, re-earning a copy). */
  from_memory: number;
}

/**
 * Only the first request for each clip reaches this origin; everything measured is an edge-cache hit.
 * The episode id carries the clip's size, so one origin serves both.
 */
async function startStubOrigin(): Promise<{ url: string; calls: () => number; close(): void }> {
  let calls = 0;
  const origin = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://origin");
    const bytes = Number(url.pathname.split("/").pop()?.replace(/^b/, ""));
    if (url.pathname.startsWith("/bytes/")) return void res.end(Buffer.alloc(bytes, 0x55));
    calls++;
    const base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        clip_url: `${base}/bytes/b${bytes}`,
        cache_hit: false,
        generation_time_ms: 1,
        clip_start_ms: 0,
        clip_end_ms: 30000,
        file_size_bytes: bytes,
        clamped_to_episode_end: false,
      }),
    );
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
    calls: () => calls,
    close() {
      origin.closeAllConnections();
      origin.close();
    },
  };
}

async function measureSizes(base: URL, rounds: number): Promise<{ rows: EdgeRow[]; ratios: EdgeRatio[] }> {
  const rows: EdgeRow[] = [];
  const ratios: EdgeRatio[] = [];
  for (const { label, bytes } of SIZES) {
    const clip = clipPath(`b${bytes}`, { start_time_ms: 0, duration_ms: 30_000 });
    const cases: BenchCase[] = [
      {
        name: "baseline-constant-body",
        url: new URL(`${BASELINE_PATH}?size=${bytes}`, base).href,
        bytes,
        served: null,
      },
      {
        name: "floor-cache-match-only",
        url: new URL(`${FLOOR_PATH}?size=${bytes}`, base).href,
        bytes,
        served: { header: "cf-cache-status", value: "HIT" },
      },
      {
        name: "edge-cache-hit",
        url: new URL(clip, base).href,
        headers: { [ORIGINAL_URL_HEADER]: `http://${CACHE_ONLY_HOST}${clip}` },
        bytes,
        served: { header: CLIP_HEADERS.layer, value: "edge-cache" },
      },
      {
        name: "edge-hit",
        url: new URL(clip, base).href,
        bytes,
        served: { header: CLIP_HEADERS.layer, value: "edge-memory", fallback: "edge-cache" },
      },
    ];
    const perRound: Figures[][] = [];
    for (let round = 0; round < rounds; round++) perRound.push(await measureRound(cases));
    const median = (k: number) => medianFigures(perRound.map((figures) => figures[k] as Figures));
    const [constant, floor, cached, hit] = [median(0), median(1), median(2), median(3)];
    rows.push(...[constant, floor, cached, hit].map((f) => ({ ...f, size: label, bytes })));
    ratios.push({
      size: label,
      p50: hit.p50_ms / constant.p50_ms,
      throughput: hit.requests_per_s / constant.requests_per_s,
      cache_p50: cached.p50_ms / constant.p50_ms,
      cache_throughput: cached.requests_per_s / constant.requests_per_s,
      floor_p50: floor.p50_ms / constant.p50_ms,
      floor_throughput: floor.requests_per_s / constant.requests_per_s,
      over_floor_p50: cached.p50_ms / floor.p50_ms,
      over_floor_throughput: cached.requests_per_s / floor.requests_per_s,
      from_memory: 1 - hit.fallbacks / Math.max(1, hit.answers),
    });
  }
  return { rows, ratios };
}

function printTable(
  log: (line: string) => void,
  rounds: number,
  { rows, ratios }: { rows: EdgeRow[]; ratios: EdgeRatio[] },
) {
  log(`\nedge hit in workerd (Miniflare, the four Workers in one workerd), loopback HTTP, median of ${rounds} rounds`);
  log("size                 case                      p50 ms   p95 ms   req/s");
  for (const r of rows) {
    log(
      `${r.size.padEnd(20)} ${r.name.padEnd(24)} ${r.p50_ms.toFixed(2).padStart(7)} ${r.p95_ms.toFixed(2).padStart(8)} ${r.requests_per_s.toFixed(0).padStart(7)}`,
    );
  }
  const x = (n: number) => `${n.toFixed(2)}x`;
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  for (const r of ratios) {
    log(
      `ratio edge-hit / baseline,       ${r.size}: p50 ${x(r.p50)}, throughput ${x(r.throughput)} (${pct(r.from_memory)} from memory)`,
    );
    log(`ratio edge-cache-hit / baseline, ${r.size}: p50 ${x(r.cache_p50)}, throughput ${x(r.cache_throughput)}`);
    log(`ratio floor / baseline,          ${r.size}: p50 ${x(r.floor_p50)}, throughput ${x(r.floor_throughput)}`);
    log(
      `ratio edge-cache-hit / floor,    ${r.size}: p50 ${x(r.over_floor_p50)}, throughput ${x(r.over_floor_throughput)}`,
    );
  }
}

/** Runs the edge bench and prints its table with `log`; `npm run bench` calls it too. */
export async function benchEdge(log: (line: string) => void): Promise<{ rows: EdgeRow[]; ratios: EdgeRatio[] }> {
  const rounds = ROUNDS;
  const origin = await startStubOrigin();
  log("building the Worker (wrangler deploy --dry-run)…");
  const bundle = await buildWorkerBundle();
  const workers = startWorkers(
    bundle.script,
    origin.url,
    SIZES.map((s) => s.bytes),
  );
  try {
    const base = await workers.ready;
    log(`measuring ${rounds} rounds per size: ${MEASURE_PLAN}, each`);
    const result = await measureSizes(base, rounds);
    // One miss per clip: the second edge's first request finds it in the R2 bucket the two share.
    if (origin.calls() !== SIZES.length) throw new Error(`expected one origin call per clip, saw ${origin.calls()}`);
    printTable(log, rounds, result);
    return result;
  } finally {
    await workers.dispose();
    await rm(bundle.dir, { recursive: true, force: true });
    origin.close();
  }
}
