import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../origin/dev/local-server.js";
import { cbrTenMinutes } from "../origin/helpers/fixtures.js";
import { SECRET, type TestOrigin } from "../origin/helpers/harness.js";
import { startEdge, type Edge } from "./helpers/edge.js";
import { startRealEdge, stopRealEdge } from "./helpers/real-edge.js";
import { waitFilled } from "./helpers/wait-filled.js";

// The isolate's copies of its hottest clips (#15), in workerd with the real Cache API, R2 and origin.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;
const others: Edge[] = [];

const clipPath = (start: number) => `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=2000`;
const clipKey = (start: number) => `audio_clips/${episode}/${start}-${start + 2000}.mp3`;
const layer = (res: Response) => res.headers.get("x-edgeclip-layer");

/** A fresh clip cut, stored in the edge cache and R2, then hit three times from the cache: the hits that earn a copy. */
async function makeHot(on: Edge, start: number): Promise<Buffer> {
  const first = await on.fetch(clipPath(start));
  expect(layer(first)).toBe("generated");
  const bytes = Buffer.from(await first.arrayBuffer());
  await waitFilled(on, clipPath(start), clipKey(start));
  const hits = [];
  for (let i = 0; i < 3; i++) {
    const hit = await on.fetch(clipPath(start));
    hits.push(layer(hit));
    expect(Buffer.from(await hit.arrayBuffer()).equals(bytes)).toBe(true);
  }
  expect(hits).toEqual(["edge-cache", "edge-cache", "edge-cache"]);
  // The copy is read after the third hit's answer (waitUntil).
  await expect
    .poll(async () => layer(await on.fetch(clipPath(start), { method: "HEAD" })), { timeout: 15_000 })
    .toBe("edge-memory");
  return bytes;
}

beforeAll(async () => {
  ({ t, server, edge, episode } = await startRealEdge(cbrTenMinutes));
});

afterAll(async () => {
  for (const other of others) await other.close();
  await stopRealEdge({ t, server, edge });
});

describe("the edge's memory of its hottest clips", () => {
  it("serves a clip hit three times from the cache out of memory: the same bytes, Range, HEAD, 304 and JSON", async () => {
    const bytes = await makeHot(edge, 10_000);
    const whole = await edge.fetch(clipPath(10_000));
    expect([whole.status, layer(whole)]).toEqual([200, "edge-memory"]);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const etag = whole.headers.get("etag") as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(whole.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(whole.headers.get("server-timing")).toMatch(/desc="edge-memory"/);

    const ranged = await edge.fetch(clipPath(10_000), { headers: { range: "bytes=100-199" } });
    expect([ranged.status, layer(ranged), ranged.headers.get("content-range")]).toEqual([
      206,
      "edge-memory",
      `bytes 100-199/${bytes.length}`,
    ]);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

    const head = await edge.fetch(clipPath(10_000), { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), head.headers.get("etag")]).toEqual([
      200,
      String(bytes.length),
      etag,
    ]);
    const notModified = await edge.fetch(clipPath(10_000), { headers: { "if-none-match": etag } });
    expect([notModified.status, layer(notModified)]).toEqual([304, "edge-memory"]);
    const json = await edge.fetch(`${clipPath(10_000)}&response=json`);
    expect(await json.json()).toMatchObject({ cache_hit: true, file_size_bytes: bytes.length });
    // Another spelling of the same clip finds the same copy.
    const spelled = await edge.fetch(`/api/v1/audio_clips/${episode}?end_time_ms=12000&start_time_ms=010000`);
    expect(layer(spelled)).toBe("edge-memory");
  });

  it("does not copy a clip hit once or twice", async () => {
    const first = await edge.fetch(clipPath(20_000));
    await first.arrayBuffer();
    await waitFilled(edge, clipPath(20_000), clipKey(20_000));
    for (let i = 0; i < 2; i++) expect(layer(await edge.fetch(clipPath(20_000)))).toBe("edge-cache");
    // Time for a copy that should not be made; the third hit is still the cache's (and earns one).
    await new Promise((r) => setTimeout(r, 300));
    expect(layer(await edge.fetch(clipPath(20_000)))).toBe("edge-cache");
  });

  it("keeps serving a purged clip from memory for EDGE_MEMORY_TTL_S at most, then asks the origin", async () => {
    const short = await startEdge({ originUrl: server.url, originSecret: SECRET, vars: { EDGE_MEMORY_TTL_S: "1" } });
    others.push(short);
    const bytes = await makeHot(short, 30_000);
    // The purge (edge cache and R2 gone): the isolate's copy cannot be reached by it...
    await short.evict(clipPath(30_000));
    await (await short.bucket()).delete(clipKey(30_000));
    const purgedAt = Date.now();
    const layers: (string | null)[] = [];
    // ...and expires on its own: within the TTL (and a busy machine's slack) the next answer is a new cut.
    for (;;) {
      const res = await short.fetch(clipPath(30_000));
      layers.push(layer(res));
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      if (layer(res) !== "edge-memory" || Date.now() - purgedAt > 30_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(layers.at(-1)).toBe("generated");
    expect(layers.slice(0, -1).every((l) => l === "edge-memory")).toBe(true);
  });

  it("with EDGE_MEMORY_MIB=0 every hit is the edge cache's", async () => {
    const off = await startEdge({ originUrl: server.url, originSecret: SECRET, vars: { EDGE_MEMORY_MIB: "0" } });
    others.push(off);
    await (await off.fetch(clipPath(40_000))).arrayBuffer();
    await waitFilled(off, clipPath(40_000), clipKey(40_000));
    const layers = [];
    for (let i = 0; i < 6; i++) {
      layers.push(layer(await off.fetch(clipPath(40_000))));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(layers).toEqual(Array(6).fill("edge-cache"));
  });

  it("refuses a memory setting out of range, naming it (503)", async () => {
    const bad = await startEdge({
      originUrl: server.url,
      originSecret: SECRET,
      vars: { EDGE_MEMORY_MIB: "100", EDGE_MEMORY_TTL_S: "0" },
    });
    others.push(bad);
    const res = await bad.fetch(clipPath(50_000));
    expect(res.status).toBe(503);
    const logged = String(bad.errorLog(await res.json())?.error);
    expect(logged).toContain("EDGE_MEMORY_MIB must be at most 64");
    expect(logged).toContain("EDGE_MEMORY_TTL_S must be between 1 and 3600");
  });
});
