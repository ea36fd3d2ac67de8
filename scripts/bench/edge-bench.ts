// The edge half of `npm run bench` and all of `npm run bench:edge`: the cost of an edge hit in workerd, against a baseline Worker that
// returns a constant body of the same size, in the same run (so the ratio, not the absolute, is the figure).
// Two sizes: a 30 s clip, where moving the bytes dominates, and a small one, where the per-request work of
// the edge (routing, parsing, the cache lookup) shows.
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Miniflare } from "miniflare";
import { quantile } from "../lib/quantile.js";
import { buildWorkerBundle } from "../lib/worker-bundle.js";

const SIZES = [
  { label: "30 s clip (480 KB)", bytes: 480_000 }, // 128 kbit/s
  { label: "small body (8 KB)", bytes: 8_000 },
];
const SEQUENTIAL = 200;
const CONCURRENCY = 8;
const THROUGHPUT_MS = 1500;
// Rounds alternate baseline and edge, and the median of each figure is reported: on a 2-core machine
// one round's numbers swing by tens of percent.
const ROUNDS = 5;
const SECRET = "bench-origin-secret-0123456789";
const COMPATIBILITY_DATE = "2026-04-01";

interface Figures {
  name: string;
  p50_ms: number;
  p95_ms: number;
  requests_per_s: number;
}

function medianFigures(rounds: Figures[]): Figures {
  const median = (pick: (f: Figures) => number) => quantile(rounds.map(pick), 0.5);
  return {
    name: (rounds[0] as Figures).name,
    p50_ms: median((f) => f.p50_ms),
    p95_ms: median((f) => f.p95_ms),
    requests_per_s: median((f) => f.requests_per_s),
  };
}

async function measure(name: string, url: string, bytes: number, layer: string | null): Promise<Figures> {
  let warm = false;
  const get = async () => {
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    if (res.status !== 200 || body.byteLength !== bytes) throw new Error(`${name}: bad answer ${res.status}`);
    // Every measured request must be what the row says (an edge-cache hit, not R2 or the origin).
    if (warm && res.headers.get(CLIP_HEADERS.layer) !== layer) {
      throw new Error(`${name}: served by ${res.headers.get(CLIP_HEADERS.layer)}, expected ${layer}`);
    }
  };
  for (let i = 0; i < 30; i++) await get(); // warm-up: JIT, connection pool, cache fill
  warm = true;
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await get();
    times.push(performance.now() - t0);
  }
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await get();
        done++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { name, p50_ms: quantile(times, 0.5), p95_ms: quantile(times, 0.95), requests_per_s: done / seconds };
}

export interface EdgeRow extends Figures {
  size: string;
  bytes: number;
}

export interface EdgeRatio {
  size: string;
  p50: number;
  throughput: number;
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

/** The Worker as deployed, and the same workerd setup doing nothing but answer a constant body. */
function startWorkers(script: string, originUrl: string): { edge: Miniflare; baseline: Miniflare } {
  const edge = new Miniflare({
    modules: true,
    scriptPath: script,
    // The bundle lives in a temp folder; module paths are resolved from there.
    modulesRoot: path.dirname(script),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["CLIPS"],
    // One JSON log line per request would drown the table; errors still reach stderr.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
    bindings: { ORIGIN_URL: originUrl, ORIGIN_SECRET: SECRET },
  });
  const baseline = new Miniflare({
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    script: `const bodies = new Map();
      export default { fetch(request) {
        const size = Number(new URL(request.url).searchParams.get("size"));
        if (!bodies.has(size)) bodies.set(size, new Uint8Array(size).fill(0x55));
        return new Response(bodies.get(size), { headers: { "content-type": "audio/mpeg" } });
      } };`,
  });
  return { edge, baseline };
}

async function measureSizes(
  edgeUrl: URL,
  baseUrl: URL,
  rounds: number,
): Promise<{ rows: EdgeRow[]; ratios: EdgeRatio[] }> {
  const rows: EdgeRow[] = [];
  const ratios: EdgeRatio[] = [];
  for (const { label, bytes } of SIZES) {
    const clipUrl = new URL(clipPath(`b${bytes}`, { start_time_ms: 0, duration_ms: 30_000 }), edgeUrl).toString();
    const constUrl = new URL(`/?size=${bytes}`, baseUrl).toString();
    const bases: Figures[] = [];
    const hits: Figures[] = [];
    for (let round = 0; round < rounds; round++) {
      bases.push(await measure("baseline-constant-body", constUrl, bytes, null));
      hits.push(await measure("edge-cache-hit", clipUrl, bytes, "edge-cache"));
    }
    const base = medianFigures(bases);
    const hit = medianFigures(hits);
    rows.push({ ...base, size: label, bytes }, { ...hit, size: label, bytes });
    ratios.push({ size: label, p50: hit.p50_ms / base.p50_ms, throughput: hit.requests_per_s / base.requests_per_s });
  }
  return { rows, ratios };
}

function printTable(
  log: (line: string) => void,
  rounds: number,
  { rows, ratios }: { rows: EdgeRow[]; ratios: EdgeRatio[] },
) {
  log(`\nedge hit in workerd (Miniflare), loopback HTTP, median of ${rounds} rounds`);
  log("size                 case                      p50 ms   p95 ms   req/s");
  for (const r of rows) {
    log(
      `${r.size.padEnd(20)} ${r.name.padEnd(24)} ${r.p50_ms.toFixed(2).padStart(7)} ${r.p95_ms.toFixed(2).padStart(8)} ${r.requests_per_s.toFixed(0).padStart(7)}`,
    );
  }
  for (const r of ratios) {
    log(`ratio edge-hit / baseline, ${r.size}: p50 ${r.p50.toFixed(2)}x, throughput ${r.throughput.toFixed(2)}x`);
  }
}

/** Runs the edge bench and prints its table with `log`; `npm run bench` calls it too. */
export async function benchEdge(
  log: (line: string) => void,
  rounds = ROUNDS,
): Promise<{ rows: EdgeRow[]; ratios: EdgeRatio[] }> {
  const origin = await startStubOrigin();
  log("building the Worker (wrangler deploy --dry-run)…");
  const bundle = await buildWorkerBundle();
  const { edge, baseline } = startWorkers(bundle.script, origin.url);
  try {
    const [edgeUrl, baseUrl] = await Promise.all([edge.ready, baseline.ready]);
    log(
      `measuring ${rounds} rounds per size: ${SEQUENTIAL} sequential requests, then ${CONCURRENCY} concurrent for ${THROUGHPUT_MS} ms, each`,
    );
    const result = await measureSizes(edgeUrl, baseUrl, rounds);
    if (origin.calls() !== SIZES.length) throw new Error(`expected one origin call per clip, saw ${origin.calls()}`);
    printTable(log, rounds, result);
    return result;
  } finally {
    await Promise.all([edge.dispose(), baseline.dispose()]);
    await rm(bundle.dir, { recursive: true, force: true });
    origin.close();
  }
}
