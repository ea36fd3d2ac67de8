import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../core/index.js";
import { strongEtag, type OriginFetcher, type OriginResult } from "../../../worker/clip/clip.js";
import type { ClipDeps, GenerationLimit } from "../../../worker/clip/context.js";
import { handleClip } from "../../../worker/clip/handle-clip.js";
import type { WorkerConfig } from "../../../worker/config/env.js";
import { inFlight } from "../../../worker/origin/in-flight.js";
import type { EdgeCache } from "../../../worker/storage/clip-storage.js";

// The edge's step list with small fakes through the ClipDeps seam (workers-sdk's kv-r2-caches shape): fast,
// and able to hold the origin mid-answer, which the workerd tests only reach by chance.
const CONFIG: WorkerConfig = {
  originUrl: "http://origin.test",
  originSecret: "0123456789abcdef",
  originTimeoutMs: 30_000,
  limits: DEFAULT_LIMITS,
  allowedOrigins: undefined,
  signingKeys: undefined,
  memory: undefined,
};

const url = (start = 0) => `https://edge.test/api/v1/audio_clips/ep?start_time_ms=${start}&duration_ms=1000`;

function fakeCache(): EdgeCache & { puts: number } {
  const store = new Map<string, Response>();
  return {
    puts: 0,
    async match(key) {
      return store.get(key.url)?.clone();
    },
    async put(key, response) {
      this.puts++;
      store.set(key.url, new Response(await response.arrayBuffer(), response));
    },
  };
}

function fakeBucket(): R2Bucket & { puts: number } {
  const bucket = {
    puts: 0,
    async get() {
      return null;
    },
    async put() {
      bucket.puts++;
      return null;
    },
  };
  return bucket as unknown as R2Bucket & { puts: number };
}

/** An origin that answers only when released, counting calls. */
function heldOrigin(): { fetcher: OriginFetcher; calls: () => number; release: () => void } {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const fetcher: OriginFetcher = async () => {
    calls++;
    await gate;
    const bytes = new TextEncoder().encode("clip bytes").buffer as ArrayBuffer;
    const result: OriginResult = {
      clip: {
        bytes,
        startMs: 0,
        endMs: 1000,
        clamped: false,
        etag: await strongEtag(bytes),
        generationTimeMs: 5,
        container: "mp3",
      },
      layer: "generated",
    };
    return result;
  };
  return { fetcher, calls: () => calls, release };
}

function countingLimit(allow: number, periodS: 10 | 60): GenerationLimit & { charges: () => number } {
  let charges = 0;
  return {
    periodS,
    charges: () => charges,
    limiter: { limit: async () => ({ success: ++charges <= allow }) } as RateLimit,
  };
}

function deps(origin: OriginFetcher, limits: GenerationLimit[] = []) {
  const waited: Promise<unknown>[] = [];
  const cache = fakeCache();
  const bucket = fakeBucket();
  const d: ClipDeps = {
    config: CONFIG,
    cache,
    bucket,
    origin,
    inFlight: inFlight(),
    limits,
    waitUntil: (p) => void waited.push(p),
    log: () => {},
  };
  return { d, cache, bucket, settled: () => Promise.all(waited) };
}

let n = 0;
const ask = (d: ClipDeps, start = 0, ip = "198.51.100.7") =>
  handleClip(new Request(url(start), { headers: { "cf-connecting-ip": ip } }), d, {
    requestId: `r${++n}`,
    startedAt: Date.now(),
  });

describe("the edge's steps (fakes)", () => {
  it("charges only the request that starts the origin call: 50 identical misses → 1 charge, 1 call, 50 × 200", async () => {
    const origin = heldOrigin();
    const burst = countingLimit(1, 10);
    const { d, settled } = deps(origin.fetcher, [burst]);
    const answers = Array.from({ length: 50 }, () => ask(d));
    origin.release();
    const responses = await Promise.all(answers);
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect([origin.calls(), burst.charges(), bodies.size]).toEqual([1, 1, 1]);
    await settled();
  });

  it("fills the edge cache and R2 once, from the leader, and then answers from the cache uncharged", async () => {
    const origin = heldOrigin();
    origin.release();
    const sustained = countingLimit(1, 60);
    const { d, cache, bucket, settled } = deps(origin.fetcher, [sustained]);
    await Promise.all([ask(d), ask(d), ask(d)]);
    await settled();
    expect([cache.puts, bucket.puts]).toEqual([1, 1]);
    const again = await ask(d);
    expect([again.status, again.headers.get("x-edgeclip-layer")]).toEqual([200, "edge-cache"]);
    expect([origin.calls(), sustained.charges()]).toEqual([1, 1]);
  });

  it("a refused leader answers 429 with its window's Retry-After, and so do the requests that joined it", async () => {
    const origin = heldOrigin();
    origin.release();
    const burst = countingLimit(0, 10);
    const { d } = deps(origin.fetcher, [burst]);
    const refused = await Promise.allSettled([ask(d, 5000), ask(d, 5000)]);
    for (const outcome of refused) {
      expect(outcome.status).toBe("rejected");
      const err = (outcome as PromiseRejectedResult).reason as { status: number; retryAfterS: number };
      expect([err.status, err.retryAfterS]).toEqual([429, 10]);
    }
    expect([origin.calls(), burst.charges()]).toEqual([0, 1]);
    // The refusal is not shared afterwards: a later request is charged (and here refused) on its own.
    await expect(ask(d, 5000)).rejects.toMatchObject({ status: 429 });
    expect(burst.charges()).toBe(2);
  });

  it("checks the burst window before the sustained one, and names the refusing one", async () => {
    const origin = heldOrigin();
    origin.release();
    const burst = countingLimit(100, 10);
    const sustained = countingLimit(0, 60);
    const { d } = deps(origin.fetcher, [burst, sustained]);
    await expect(ask(d, 7000)).rejects.toMatchObject({ status: 429, retryAfterS: 60 });
    expect([burst.charges(), sustained.charges()]).toEqual([1, 1]);
  });

  it("a failed origin call is shared by its joiners and then forgotten, so the next request retries", async () => {
    let calls = 0;
    const failing: OriginFetcher = async () => {
      calls++;
      throw new Error("origin down");
    };
    const { d } = deps(failing);
    const both = await Promise.allSettled([ask(d, 9000), ask(d, 9000)]);
    expect(both.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(1);
    await expect(ask(d, 9000)).rejects.toThrow("origin down");
    expect(calls).toBe(2);
  });
});
