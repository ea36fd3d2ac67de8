import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signClipUrl, type UrlSigningKey } from "../../core/index.js";
import { runWarm } from "../../scripts/warm/run-warm.js";
import { parseWarmList, type WarmItem } from "../../scripts/warm/warm-list.js";
import { EDGE, startEdge, type Edge } from "./helpers/edge.js";
import { inOneRateWindow } from "./helpers/rate-window.js";
import { startScriptedOrigin, type ScriptedOrigin } from "./helpers/stub-origin.js";

// `npm run warm` against the real Worker in workerd, for what the local stack does not turn on: URL signing
// and the generation rate limit. The origin behind it is scripted (its clips are not what is tested here).
const SECRET = "warm-origin-secret-0123456789";
const KEY: UrlSigningKey = { id: "k1", secret: "warm-signing-secret-0123456789" };
const { items } = parseWarmList(["ep1 0 5000", "ep1 5000 5000", "ep2 0 5000"].join("\n"));

let origin: ScriptedOrigin;
const edges: Edge[] = [];
const through = (edge: Edge) =>
  (async (url: string | URL) => {
    const { pathname, search } = new URL(url);
    return edge.fetch(pathname + search);
  }) as typeof fetch;

beforeAll(async () => {
  origin = await startScriptedOrigin();
});
afterAll(async () => {
  await Promise.all(edges.map((e) => e.close()));
  await origin?.close();
});

describe("warm through an edge that requires signed URLs", () => {
  it("signs each request when given the keys, and is refused (403, named) without them", async () => {
    const edge = await startEdge({
      originUrl: origin.url,
      originSecret: SECRET,
      vars: { URL_SIGNING_KEYS: `${KEY.id}:${KEY.secret}` },
    });
    edges.push(edge);
    const unsigned = await runWarm(EDGE, items, { concurrency: 2, fetchFn: through(edge) });
    expect(unsigned.failed).toBe(3);
    expect(unsigned.results[0]?.detail).toMatch(/^HTTP 403: /);

    const urlFor = (item: WarmItem) => signClipUrl(EDGE, item.request, KEY, Math.floor(Date.now() / 1000) + 3600);
    const signed = await runWarm(EDGE, items, { concurrency: 2, fetchFn: through(edge), urlFor });
    expect([signed.generated, signed.hit, signed.failed]).toEqual([3, 0, 0]);
    const again = await runWarm(EDGE, items, { concurrency: 2, fetchFn: through(edge), urlFor });
    expect([again.generated, again.hit, again.failed]).toEqual([0, 3, 0]);
  });
});

describe("warm through an edge that rate-limits generation", () => {
  it("reads the real 429's Retry-After, pauses every request for it, and reports the clip failed after its attempts", async () => {
    const edge = await startEdge({ originUrl: origin.url, originSecret: SECRET, generateLimit: 1 });
    edges.push(edge);
    const waits: number[] = [];
    const slept: number[] = [];
    // The whole run in one 60 s window of the binding, with room for a busy machine.
    await inOneRateWindow(60_000, 20_000);
    const summary = await runWarm(EDGE, items, {
      concurrency: 1,
      fetchFn: through(edge),
      maxAttempts: 2,
      onWait: (seconds) => waits.push(seconds),
      // The real limiter's window is 60 s; the test records the pause instead of sitting through it.
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(summary.generated).toBe(1);
    expect(summary.failed).toBe(2);
    expect(summary.results.at(-1)?.detail).toMatch(/^HTTP 429: .*\(after 2 attempts\)$/);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((s) => s === 60)).toBe(true);
    expect(slept.every((ms) => ms > 55_000 && ms <= 60_000)).toBe(true);
  });

  it("retries after the pause and succeeds (scripted 429 with Retry-After: 1, since the real window is 60 s)", async () => {
    const edge = await startEdge({ originUrl: origin.url, originSecret: SECRET });
    edges.push(edge);
    let refusals = 2;
    const limited = (async (url: string | URL) => {
      if (refusals-- > 0) {
        return new Response(JSON.stringify({ error: { code: "rate_limited", message: "Too many new clips" } }), {
          status: 429,
          headers: { "retry-after": "1", "content-type": "application/json" },
        });
      }
      return through(edge)(url);
    }) as typeof fetch;
    const began = Date.now();
    const waits: number[] = [];
    const summary = await runWarm(EDGE, items, {
      concurrency: 3,
      fetchFn: limited,
      onWait: (s) => waits.push(s),
    });
    expect(summary.failed).toBe(0);
    expect(summary.generated + summary.hit).toBe(3);
    // Both refused requests may report the pause (a few ms apart); none waits longer than asked.
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((s) => s === 1)).toBe(true);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
  });
});
