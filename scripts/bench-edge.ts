// `npm run bench:edge [-- --json]`: the cost of an edge hit in workerd, against a baseline Worker that
// returns a constant body of the same size, in the same run (so the ratio, not the absolute, is the figure).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Miniflare } from "miniflare";
import { buildWorkerBundle } from "./lib/worker-bundle.js";

const CLIP_BYTES = 480_000; // a 30 s clip at 128 kbit/s
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

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function medianFigures(rounds: Figures[]): Figures {
  const median = (pick: (f: Figures) => number) =>
    quantile(
      rounds.map(pick).sort((a, b) => a - b),
      0.5,
    );
  return {
    name: (rounds[0] as Figures).name,
    p50_ms: median((f) => f.p50_ms),
    p95_ms: median((f) => f.p95_ms),
    requests_per_s: median((f) => f.requests_per_s),
  };
}

async function measure(name: string, url: string): Promise<Figures> {
  const get = async () => {
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    if (res.status !== 200 || body.byteLength !== CLIP_BYTES) throw new Error(`${name}: bad answer ${res.status}`);
    return res.headers.get("x-edgeclip-layer");
  };
  for (let i = 0; i < 30; i++) await get(); // warm-up: JIT, connection pool, cache fill
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await get();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
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

async function main(): Promise<void> {
  const asJson = process.argv.includes("--json");
  const log = (line: string) => (asJson ? process.stderr : process.stdout).write(`${line}\n`);
  const clip = Buffer.alloc(CLIP_BYTES, 0x55);
  let originCalls = 0;
  // Only the first request reaches this origin; everything measured is an edge-cache hit.
  const origin = createServer((req, res) => {
    if (req.url === "/bytes") return void res.end(clip);
    originCalls++;
    const base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        clip_url: `${base}/bytes`,
        cache_hit: false,
        generation_time_ms: 1,
        clip_start_ms: 0,
        clip_end_ms: 30000,
        file_size_bytes: CLIP_BYTES,
        clamped_to_episode_end: false,
      }),
    );
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  log("building the Worker (wrangler deploy --dry-run)…");
  const bundle = await buildWorkerBundle();
  const edge = new Miniflare({
    modules: true,
    scriptPath: bundle.script,
    // The bundle lives in a temp folder; module paths are resolved from there.
    modulesRoot: path.dirname(bundle.script),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["CLIPS"],
    // One JSON log line per request would drown the table; errors still reach stderr.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
    bindings: { ORIGIN_URL: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, ORIGIN_SECRET: SECRET },
  });
  const baseline = new Miniflare({
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    script: `const body = new Uint8Array(${CLIP_BYTES}).fill(0x55);
      export default { fetch: () => new Response(body, { headers: { "content-type": "audio/mpeg" } }) };`,
  });
  try {
    const [edgeUrl, baseUrl] = await Promise.all([edge.ready, baseline.ready]);
    log(
      `measuring ${ROUNDS} rounds: ${SEQUENTIAL} sequential requests, then ${CONCURRENCY} concurrent for ${THROUGHPUT_MS} ms, each`,
    );
    const clipUrl = new URL("/api/v1/audio_clips/bench?start_time_ms=0&duration_ms=30000", edgeUrl).toString();
    const bases: Figures[] = [];
    const hits: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bases.push(await measure("baseline-constant-body", baseUrl.toString()));
      hits.push(await measure("edge-cache-hit", clipUrl));
    }
    const base = medianFigures(bases);
    const hit = medianFigures(hits);
    if (originCalls !== 1) throw new Error(`expected one origin call, saw ${originCalls}`);
    const rows = [base, hit];
    log(`\nedge hit in workerd (Miniflare), 480 KB clip, loopback HTTP, median of ${ROUNDS} rounds`);
    log("case                      p50 ms   p95 ms   req/s");
    for (const r of rows) {
      log(
        `${r.name.padEnd(24)} ${r.p50_ms.toFixed(2).padStart(7)} ${r.p95_ms.toFixed(2).padStart(8)} ${r.requests_per_s.toFixed(0).padStart(7)}`,
      );
    }
    log(
      `ratio edge-hit / baseline: p50 ${(hit.p50_ms / base.p50_ms).toFixed(2)}x, throughput ${(hit.requests_per_s / base.requests_per_s).toFixed(2)}x`,
    );
    if (asJson) console.log(JSON.stringify({ edge: rows }));
  } finally {
    await Promise.all([edge.dispose(), baseline.dispose()]);
    await rm(bundle.dir, { recursive: true, force: true });
    origin.closeAllConnections();
    origin.close();
  }
}

await main();
