// Requests clips through the edge with bounded concurrency, like listeners would, and tallies who answered.
import type { WarmItem } from "./warm-list.js";

export type WarmOutcome = "generated" | "hit" | "failed";

export interface WarmResult {
  item: WarmItem;
  outcome: WarmOutcome;
  /** x-edgeclip-layer of the answer (edge-cache, r2, generated, …) or the error. */
  detail: string;
  ms: number;
}

export interface WarmSummary {
  generated: number;
  hit: number;
  failed: number;
  results: WarmResult[];
  ms: number;
}

/** Layers that mean the clip had already been cut before this request. */
const HIT_LAYERS = new Set(["edge-cache", "r2", "origin-hit"]);

export async function runWarm(
  edgeUrl: string,
  items: readonly WarmItem[],
  opts: { concurrency: number; onResult?: (r: WarmResult, done: number) => void; fetchFn?: typeof fetch },
): Promise<WarmSummary> {
  const doFetch = opts.fetchFn ?? fetch;
  const results: WarmResult[] = [];
  const began = performance.now();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const item = items[next++] as WarmItem;
      const t0 = performance.now();
      let outcome: WarmOutcome;
      let detail: string;
      try {
        const res = await doFetch(new URL(item.path, edgeUrl));
        const body = await res.arrayBuffer();
        const layer = res.headers.get("x-edgeclip-layer") ?? "unknown";
        if (res.status === 200) {
          outcome = HIT_LAYERS.has(layer) ? "hit" : "generated";
          detail = layer;
        } else {
          outcome = "failed";
          detail = `HTTP ${res.status}: ${errorMessage(body)}`;
        }
      } catch (err) {
        outcome = "failed";
        detail = err instanceof Error ? err.message : String(err);
      }
      const result = { item, outcome, detail, ms: performance.now() - t0 };
      results.push(result);
      opts.onResult?.(result, results.length);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker));
  const count = (o: WarmOutcome) => results.filter((r) => r.outcome === o).length;
  return {
    generated: count("generated"),
    hit: count("hit"),
    failed: count("failed"),
    results,
    ms: performance.now() - began,
  };
}

function errorMessage(body: ArrayBuffer): string {
  const text = new TextDecoder().decode(body);
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    return parsed.error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
