import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { startEdge, type Edge } from "./helpers/edge.js";
import { scriptedEdgePerTest } from "./helpers/edge-session.js";
import { inOneRateWindow } from "./helpers/rate-window.js";
import { startScriptedOrigin } from "./helpers/stub-origin.js";

// The generation limit through workerd's real Rate Limiting binding, at the limits wrangler.toml deploys
// (read from it, so the test follows a change of defaults), against a scripted origin that counts calls.
const SECRET = "generation-limit-secret-0123456789";
const clip = (start: number) => `/api/v1/audio_clips/ep-limit?start_time_ms=${start}&duration_ms=1000`;
const live = scriptedEdgePerTest();

async function deployedRateLimit(name: string): Promise<{ limit: number; periodMs: number }> {
  const toml = await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8");
  // The default environment's blocks come first in the file.
  const block = new RegExp(
    `name = "${name}"\\s+namespace_id = "\\d+"\\s+simple = \\{ limit = (\\d+), period = (\\d+) \\}`,
  );
  const match = block.exec(toml);
  if (!match) throw new Error(`wrangler.toml has no ${name} rate limit`);
  return { limit: Number(match[1]), periodMs: Number(match[2]) * 1000 };
}

async function deployedLimit(name: string): Promise<number> {
  return (await deployedRateLimit(name)).limit;
}

async function edgeAtDeployedLimits(): Promise<Edge> {
  live.origin = await startScriptedOrigin();
  return startEdge({
    originUrl: live.origin.url,
    originSecret: SECRET,
    burstLimit: await deployedLimit("GENERATE_BURST"),
    generateLimit: await deployedLimit("GENERATE_SUSTAINED"),
  });
}

const from = (ip: string) => ({ headers: { "cf-connecting-ip": ip } });

describe("the generation limit charges only new origin calls (real rate-limit binding in workerd)", () => {
  it("50 listeners behind one address open the same fresh link at once → 50 × 200, one origin call, same bytes", async () => {
    // A limit of one new clip per window: only the request that starts the origin call may be charged.
    live.origin = await startScriptedOrigin();
    live.edge = await startEdge({ originUrl: live.origin.url, originSecret: SECRET, burstLimit: 1, generateLimit: 1 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => live.edge!.fetch(clip(0), from("203.0.113.5"))));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = new Set(
      await Promise.all(answers.map(async (r) => Buffer.from(await r.arrayBuffer()).toString("hex"))),
    );
    expect([live.origin!.calls, bodies.size]).toEqual([1, 1]);
  });

  it("a page opening 40 different new players from one address → all 40 play", async () => {
    live.edge = await edgeAtDeployedLimits();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => live.edge!.fetch(clip(i * 1000), from("203.0.113.6"))),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(live.origin!.calls).toBe(40);
  });

  it("a client asking for ever more new clips gets 429 soon; its cached clips and other addresses still play", async () => {
    live.edge = await edgeAtDeployedLimits();
    const { limit: burst, periodMs } = await deployedRateLimit("GENERATE_BURST");
    // A whole window for the run: a busy machine's slow requests then cross as few window edges as possible.
    const windowsTouched = await inOneRateWindow(periodMs, periodMs);
    expect((await live.edge.fetch(clip(0), from("203.0.113.7"))).status).toBe(200);
    // Three limits' worth at once: far more than one window allows, sent together so they land in one window.
    const answers = await Promise.all(
      Array.from({ length: 3 * burst }, (_, i) => live.edge!.fetch(clip((i + 1) * 1000), from("203.0.113.7"))),
    );
    const windows = windowsTouched();
    const statuses = answers.map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 200 && s !== 429),
      "only 200s and 429s",
    ).toEqual([]);
    const served = 1 + statuses.filter((s) => s === 200).length;
    expect(served, `served in ${windows} window(s) of ${periodMs} ms`).toBeLessThanOrEqual(burst * windows);
    const refused = answers.find((r) => r.status === 429);
    expect(refused, "a 429 among three limits' worth of new clips").toBeDefined();
    // A run slow enough to reach a third burst window may be refused by the 60 s limit instead.
    const retryAfter = refused!.headers.get("retry-after");
    expect(windows <= 2 ? ["10"] : ["10", "60"]).toContain(retryAfter);
    expect(refused!.headers.get("cache-control")).toBe("no-store");
    expect(await refused!.json()).toMatchObject({ error: { code: "rate_limited" } });
    await Promise.all(answers.filter((r) => r !== refused && !r.bodyUsed).map((r) => r.arrayBuffer()));
    const callsBefore = live.origin!.calls;
    // The first clip is in the edge cache: served, uncharged, no origin call.
    const cached = await live.edge.fetch(clip(0), from("203.0.113.7"));
    expect([cached.status, cached.headers.get("x-edgeclip-layer")]).toEqual([200, "edge-cache"]);
    expect((await live.edge.fetch(clip(999_000), from("198.51.100.99"))).status).toBe(200);
    expect(live.origin!.calls).toBe(callsBefore + 1);
  });
});
