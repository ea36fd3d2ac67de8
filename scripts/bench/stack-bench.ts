// One miss and then hits through the whole local stack (wrangler dev → origin → FerretDB/versitygw), as a
// browser sees them: the miss shows what the edge adds to the origin's time, the hits what a listener gets.
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { freeLoopbackPort } from "../services/free-port.js";
import { startStack } from "../stack/stack.js";
import { quantile } from "../lib/quantile.js";
import { startWorkerdEdge, type WorkerdEdge } from "./workerd-edge.js";

/** Misses and hits through one edge in front of the stack's origin. */
export interface EdgeFigures {
  /** Distinct new clips, one at a time, after a first one: what a miss costs a listener on a warm stack. */
  miss_p50_ms: number;
  miss_p95_ms: number;
  /** The origin's own duration_ms (its log line) for those same misses. */
  origin_p50_ms: number;
  hit_p50_ms: number;
  hit_layer: string | null;
}

export interface StackFigures {
  /** The very first request of a fresh stack (wrangler dev): cold everything (connections, JIT, the seek index). */
  first_ms: number;
  /** The Worker's own Server-Timing for that first miss (its wall time around the origin call). */
  first_edge_timing: string;
  first_layer: string | null;
  clip_bytes: number;
  misses: number;
  /** npm start's edge. */
  wrangler: EdgeFigures;
  /** The same Worker bundle in workerd through Miniflare, in front of the same origin. */
  workerd: EdgeFigures;
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

interface Edge {
  url: string;
  misses: number[];
  origin: number[];
  hits: number[];
  hitLayer: string | null;
}

const clipUrl = (edgeUrl: string, startMs: number) =>
  new URL(clipPath("demo", { start_time_ms: startMs, duration_ms: 30_000 }), edgeUrl).toString();

/** One new clip through `edge`, with the origin's own duration_ms for it (its log line, read by `originMs`). */
async function missThrough(edge: Edge, startMs: number, originMs: number[]): Promise<void> {
  const before = originMs.length;
  const miss = await timedGet(clipUrl(edge.url, startMs));
  if (miss.layer !== "generated") throw new Error(`a stack miss at ${startMs} ms was served by ${miss.layer}`);
  if (originMs.length !== before + 1) throw new Error(`expected one origin miss for ${startMs} ms`);
  edge.misses.push(miss.ms);
  edge.origin.push(originMs[before] ?? NaN);
}

function figures(edge: Edge): EdgeFigures {
  return {
    miss_p50_ms: round(quantile(edge.misses, 0.5)),
    miss_p95_ms: round(quantile(edge.misses, 0.95)),
    origin_p50_ms: round(quantile(edge.origin, 0.5)),
    hit_p50_ms: round(quantile(edge.hits, 0.5), 2),
    hit_layer: edge.hitLayer,
  };
}

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
  let workerdEdge: WorkerdEdge | undefined;
  try {
    const first = await timedGet(clipUrl(stack.edgeUrl, 50_000));
    workerdEdge = await startWorkerdEdge({ originUrl: stack.originUrl, originSecret: stack.originSecret });
    // One miss first: the new edge's own cold start (bundle load, first connection) is not a listener's miss.
    await timedGet(clipUrl(workerdEdge.url.toString(), 55_000));
    const edge = (url: string): Edge => ({ url, misses: [], origin: [], hits: [], hitLayer: null });
    const wrangler = edge(stack.edgeUrl);
    const workerd = edge(workerdEdge.url.toString());
    log(
      `  ${MISSES} distinct new clips through each of wrangler dev and workerd (Miniflare), taking turns, then 20 hits…`,
    );
    // Taking turns: both see the same machine, whatever else it is doing.
    for (let i = 0; i < MISSES; i++) {
      await missThrough(wrangler, 60_000 + i, originMs);
      await missThrough(workerd, 90_000 + i, originMs);
    }
    // Let the edges finish filling their caches (waitUntil) before timing hits.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 20; i++) {
      for (const [e, at] of [
        [wrangler, 60_000],
        [workerd, 90_000],
      ] as const) {
        const hit = await timedGet(clipUrl(e.url, at));
        e.hits.push(hit.ms);
        e.hitLayer = hit.layer;
      }
    }
    return {
      first_ms: round(first.ms),
      first_edge_timing: first.timing,
      first_layer: first.layer,
      clip_bytes: first.bytes,
      misses: MISSES,
      wrangler: figures(wrangler),
      workerd: figures(workerd),
    };
  } finally {
    await workerdEdge?.close();
    await stack.stop();
  }
}
