// One miss and then hits through the whole local stack (wrangler dev → origin → FerretDB/versitygw), as a
// browser sees them: the miss shows what the edge adds to the origin's time, the hits what a listener gets.
import { CLIP_HEADERS, clipPath } from "../../core/index.js";
import { freeLoopbackPort } from "../services/free-port.js";
import { startStack } from "../stack/stack.js";
import { quantile } from "../lib/quantile.js";

export interface StackFigures {
  miss_ms: number;
  /** The Worker's own Server-Timing for the miss (its wall time around the origin call). */
  miss_edge_timing: string;
  miss_layer: string | null;
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

export async function benchStack(log: (line: string) => void): Promise<StackFigures> {
  log("starting the local stack (npm start's code) on free ports…");
  const stack = await startStack({
    edgePort: await freeLoopbackPort(),
    originPort: await freeLoopbackPort(),
    log: () => {},
  });
  try {
    const url = new URL(clipPath("demo", { start_time_ms: 60_000, duration_ms: 30_000 }), stack.edgeUrl).toString();
    const miss = await timedGet(url);
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
      miss_ms: Math.round(miss.ms * 10) / 10,
      miss_edge_timing: miss.timing,
      miss_layer: miss.layer,
      hit_p50_ms: Math.round(quantile(hits, 0.5) * 100) / 100,
      hit_layer: hitLayer,
      clip_bytes: miss.bytes,
    };
  } finally {
    await stack.stop();
  }
}
