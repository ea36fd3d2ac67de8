// Requests clips through the edge with bounded concurrency, like listeners would, and tallies who answered.
import { CLIP_HEADERS, LAYERS } from "../../core/index.js";
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
const HIT_LAYERS = new Set<string>(LAYERS.filter((layer) => layer !== "generated"));

export interface WarmOptions {
  concurrency: number;
  onResult?: (r: WarmResult, done: number) => void;
  /** Told when the edge asks to wait (429 rate limit, 502/503 origin trouble) before requests resume. */
  onWait?: (seconds: number, why: string) => void;
  /** The URL to request for an item, e.g. signed when the edge requires signatures (default: its path). */
  urlFor?: (item: WarmItem) => Promise<string>;
  /** Attempts per clip while the edge keeps answering with Retry-After (default 10). */
  maxAttempts?: number;
  /** Longest wait honoured from one Retry-After, in seconds (default 120). */
  maxWaitS?: number;
  fetchFn?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Statuses the edge answers with Retry-After when waiting will help; anything else is final. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

export async function runWarm(edgeUrl: string, items: readonly WarmItem[], opts: WarmOptions): Promise<WarmSummary> {
  const doFetch = opts.fetchFn ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = opts.maxAttempts ?? 10;
  const maxWaitS = opts.maxWaitS ?? 120;
  const results: WarmResult[] = [];
  const began = performance.now();
  let next = 0;
  // One shared pause: the rate limit is per client, so when one request is told to wait, all of them are.
  let resumeAt = 0;

  async function request(item: WarmItem): Promise<{ outcome: WarmOutcome; detail: string }> {
    for (let attempt = 1; ; attempt++) {
      const wait = resumeAt - Date.now();
      if (wait > 0) await sleep(wait);
      const url = opts.urlFor ? await opts.urlFor(item) : new URL(item.path, edgeUrl).toString();
      const res = await doFetch(url);
      const body = await res.arrayBuffer();
      const layer = res.headers.get(CLIP_HEADERS.layer) ?? "unknown";
      if (res.status === 200) return { outcome: HIT_LAYERS.has(layer) ? "hit" : "generated", detail: layer };
      const detail = `HTTP ${res.status}: ${errorMessage(body)}`;
      const retryAfter = Number(res.headers.get("retry-after"));
      if (!RETRY_STATUSES.has(res.status) || !(retryAfter > 0) || attempt >= maxAttempts) {
        return { outcome: "failed", detail: attempt > 1 ? `${detail} (after ${attempt} attempts)` : detail };
      }
      const seconds = Math.min(retryAfter, maxWaitS);
      const until = Date.now() + seconds * 1000;
      if (until > resumeAt) {
        resumeAt = until;
        opts.onWait?.(seconds, detail);
      }
    }
  }

  async function worker(): Promise<void> {
    while (next < items.length) {
      const item = items[next++] as WarmItem;
      const t0 = performance.now();
      let answer: { outcome: WarmOutcome; detail: string };
      try {
        answer = await request(item);
      } catch (err) {
        answer = { outcome: "failed", detail: err instanceof Error ? err.message : String(err) };
      }
      const result = { item, ...answer, ms: performance.now() - t0 };
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
