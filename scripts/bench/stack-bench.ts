// One miss and then hits through the whole local stack (wrangler dev → origin → FerretDB/versitygw), as a
// browser sees them: the miss shows what the edge adds to the origin's time, the hits what a listener gets.
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { freeLoopbackPort } from "../services/free-port.js";
import { startStack } from "../stack/stack.js";
import { quantile } from "../lib/quantile.js";

export interface StackFigures {
  /** The very first request of a fresh stack: cold everything (connections, JIT, the seek index). */
  first_ms: number;
  /** The Worker's own Server-Timing for that first miss (its wall time around the origin call). */
  first_edge_timing: string;
  first_layer: string | null;
  /** Distinct new clips after that, one at a time: what a miss costs a listener on a warm stack. */
  miss_p50_ms: number;
  miss_p95_ms: number;
  /** The origin's own duration_ms (its log line) for those same misses. */
  origin_p50_ms: number;
  misses: number;
  hit_p50_ms: number;
  hit_layer: string | null;
  clip_bytes: number;
}

async function timedGet(url: string): Promise<{ ms: number; layer: string | null; bytes: number; timing: string }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`the edge answered ${res.status} for ${url}`);
  return {
    ms,
    layer: res.headers.get(CLIP_HEADERS.layer),
    bytes: body.byteLength,
    timing: res.headers.get("server-timing") ?? "",
  };
}

const MISSES = 20;
const round = (ms: number, places = 1) => Math.round(ms * 10 ** places) / 10 ** places;

export async function benchStack(log: (line: string) => void): Promise<StackFigures> {
  log("starting the local stack (npm start's code) on free ports…");
  const originMs: number[] = [];
  const stack = await startStack({
    edgePort: await freeLoopbackPort(),
    originPort: await freeLoopbackPort(),
    log: () => {},
    originLog: (line) => {
      const fields = JSON.parse(line) as { outcome?: string; duration_ms?: number };
      if (fields.outcome === "generated" && typeof fields.duration_ms === "number") originMs.push(fields.duration_ms);
    },
  });
  try {
    const clipUrl = (startMs: number) =>
      new URL(clipPath("demo", { start_time_ms: startMs, duration_ms: 30_000 }), stack.edgeUrl).toString();
    const url = clipUrl(60_000);
    const first = await timedGet(url);
    // Distinct new clips (a few ms apart), each a miss at every layer; the origin's lines are for these alone.
    originMs.length = 0;
    const misses: number[] = [];
    for (let i = 1; i <= MISSES; i++) {
      const miss = await timedGet(clipUrl(60_000 + i));
      if (miss.layer !== first.layer) throw new Error(`stack miss ${i} was served by ${miss.layer}`);
      misses.push(miss.ms);
    }
    if (originMs.length !== MISSES) throw new Error(`expected ${MISSES} origin misses, saw ${originMs.length}`);
    // Let the edge finish filling its cache (waitUntil) before timing hits.
    await new Promise((r) => setTimeout(r, 300));
    const hits: number[] = [];
    let hitLayer: string | null = null;
    for (let i = 0; i < 20; i++) {
      const hit = await timedGet(url);
      hits.push(hit.ms);
      hitLayer = hit.layer;
    }
    return {
      first_ms: round(first.ms),
      first_edge_timing: first.timing,
      first_layer: first.layer,
      miss_p50_ms: round(quantile(misses, 0.5)),
      miss_p95_ms: round(quantile(misses, 0.95)),
      origin_p50_ms: round(quantile(originMs, 0.5)),
      misses: MISSES,
      hit_p50_ms: round(quantile(hits, 0.5), 2),
      hit_layer: hitLayer,
      clip_bytes: first.bytes,
    };
  } finally {
    await stack.stop();
  }
}
