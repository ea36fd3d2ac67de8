import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOrigin, type LocalOriginServer } from "../../origin/local-server.js";
import type { Origin } from "../../origin/origin.js";
import { cbrTenMinutes } from "../origin/helpers/fixtures.js";
import { SECRET, seedEpisode, startTestOrigin, uploadFixture, type TestOrigin } from "../origin/helpers/harness.js";
import { disposeWorkerBundle, startEdge, type Edge } from "./helpers/edge.js";

// The whole miss path for real: workerd → local API Gateway stand-in → origin → FerretDB, versitygw, FFmpeg.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;
let originCalls = 0;

const clipPath = (start: number, duration = 2000) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=${duration}`;

beforeAll(async () => {
  const [origin, cbr] = await Promise.all([startTestOrigin(), cbrTenMinutes()]);
  t = origin;
  episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(cbr), durationMs: cbr.durationMs });
  const counting: Origin = {
    ffmpeg: t.origin.ffmpeg,
    close: () => t.origin.close(),
    handle: (event, context) => {
      originCalls++;
      return t.origin.handle(event, context);
    },
  };
  server = await startLocalOrigin(counting);
  edge = await startEdge({ originUrl: server.url, originSecret: SECRET, generateLimit: 1000 });
});

afterAll(async () => {
  await edge?.close();
  await server?.close();
  await t?.close();
  await disposeWorkerBundle();
});

describe("lookup order: origin, then edge cache, then R2", () => {
  it("generates on a miss, then serves the same bytes from the cache, R2 and the origin's S3 hit", async () => {
    const before = originCalls;
    const first = await edge.fetch(clipPath(60_000));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-edgeclip-layer")).toBe("generated");
    expect(first.headers.get("content-type")).toBe("audio/mpeg");
    expect(first.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(first.headers.get("accept-ranges")).toBe("bytes");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    expect(first.headers.get("server-timing")).toMatch(/^edge;dur=\d+/);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get("content-length")).toBe(String(bytes.length));
    expect(bytes.subarray(0, 3).toString("latin1")).toMatch(/^(ID3|\xff)/);
    expect(originCalls - before).toBe(1);

    const cached = await edge.fetch(clipPath(60_000));
    expect(cached.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(cached.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await cached.arrayBuffer()).equals(bytes)).toBe(true);

    expect(await edge.evict(clipPath(60_000))).toBe(true);
    const fromR2 = await edge.fetch(clipPath(60_000));
    expect(fromR2.headers.get("x-edgeclip-layer")).toBe("r2");
    expect(fromR2.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await fromR2.arrayBuffer()).equals(bytes)).toBe(true);

    await edge.evict(clipPath(60_000));
    await (await edge.bucket()).delete(`audio_clips/${episode}/60000-62000.mp3`);
    const originHit = await edge.fetch(clipPath(60_000));
    expect(originHit.headers.get("x-edgeclip-layer")).toBe("origin-hit");
    expect(Buffer.from(await originHit.arrayBuffer()).equals(bytes)).toBe(true);
    expect(originCalls - before).toBe(2);
  });

  it("fills R2 with the clip under the S3 key, with its metadata", async () => {
    await edge.fetch(clipPath(90_000));
    // waitUntil work finishes after the response; poll briefly for the mirror write.
    let object = null;
    for (let i = 0; i < 50 && !object; i++) {
      object = await (await edge.bucket()).head(`audio_clips/${episode}/90000-92000.mp3`);
      if (!object) await new Promise((r) => setTimeout(r, 50));
    }
    expect(object?.customMetadata).toMatchObject({ "clip-start-ms": "90000", clamped: "false" });
    expect(object?.httpMetadata?.contentType).toBe("audio/mpeg");
  });

  it("normalizes equivalent spellings to one origin call and one cache entry", async () => {
    const before = originCalls;
    const spellings = [
      `/api/v1/audio_clips/${episode}?start_time_ms=120000&duration_ms=2000`,
      `/api/v1/audio_clips/${episode}?duration_ms=02000&start_time_ms=0120000`,
      `/api/v1/audio_clips/${episode}?end_time_ms=122000&start_time_ms=120000&utm_source=feed`,
    ];
    const layers = [];
    for (const spelling of spellings) {
      const res = await edge.fetch(spelling);
      expect(res.status).toBe(200);
      layers.push(res.headers.get("x-edgeclip-layer"));
    }
    expect(layers).toEqual(["generated", "edge-cache", "edge-cache"]);
    expect(originCalls - before).toBe(1);
  });

  it("shares one origin call among 20 concurrent identical misses", async () => {
    const before = originCalls;
    const answers = await Promise.all(Array.from({ length: 20 }, () => edge.fetch(clipPath(150_000))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(answers.map(async (a) => Buffer.from(await a.arrayBuffer())));
    expect(bodies.every((b) => b.equals(bodies[0] as Buffer))).toBe(true);
    expect(originCalls - before).toBe(1);
  });
});

describe("what players need, from every layer", () => {
  const path = () => clipPath(200_000);
  let size = 0;

  beforeAll(async () => {
    size = (await (await edge.fetch(path())).arrayBuffer()).byteLength;
  });

  async function eachLayer(check: (res: Response, layer: string) => Promise<void>, init = {}) {
    // Order: edge cache (filled by beforeAll), then R2 (cache evicted), then the origin (both evicted).
    await check(await edge.fetch(path(), init), "edge-cache");
    await edge.evict(path());
    await check(await edge.fetch(path(), init), "r2");
    await edge.evict(path());
    await (await edge.bucket()).delete(`audio_clips/${episode}/200000-202000.mp3`);
    await check(await edge.fetch(path(), init), "origin-hit");
  }

  it.each([
    ["bytes=0-99", 0, 99],
    ["bytes=100-", 100, -1],
    ["bytes=-500", -500, -1],
    ["bytes=10-999999999", 10, -1],
  ])("answers Range %s with 206 and the right Content-Range", async (range, from, to) => {
    await eachLayer(
      async (res, layer) => {
        expect([res.status, res.headers.get("x-edgeclip-layer")]).toEqual([206, layer]);
        const start = from < 0 ? size + from : from;
        const end = to < 0 ? size - 1 : to;
        expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
        expect(res.headers.get("content-length")).toBe(String(end - start + 1));
        expect((await res.arrayBuffer()).byteLength).toBe(end - start + 1);
      },
      { headers: { range } },
    );
  });

  it("answers an unsatisfiable Range with 416 and bytes */size", async () => {
    await eachLayer(
      async (res) => {
        expect(res.status).toBe(416);
        expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
      },
      { headers: { range: `bytes=${size}-` } },
    );
  });

  it("answers HEAD with the headers and no body", async () => {
    await eachLayer(
      async (res) => {
        expect(res.status).toBe(200);
        expect(res.headers.get("content-length")).toBe(String(size));
        expect((await res.arrayBuffer()).byteLength).toBe(0);
      },
      { method: "HEAD" },
    );
  });

  it("answers If-None-Match with 304", async () => {
    const etag = (await edge.fetch(path())).headers.get("etag") as string;
    await eachLayer(
      async (res) => {
        expect(res.status).toBe(304);
        expect(res.headers.get("etag")).toBe(etag);
      },
      { headers: { "if-none-match": etag } },
    );
  });
});

describe("JSON mode and errors through the edge", () => {
  it("describes the clip with its canonical edge URL", async () => {
    const res = await edge.fetch(`/api/v1/audio_clips/${episode}?duration_ms=3000&start_time_ms=0300000&response=json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      clip_url: `http://edge.test/api/v1/audio_clips/${episode}?start_time_ms=300000&duration_ms=3000`,
      cache_hit: false,
      clip_start_ms: 300000,
      clip_end_ms: 303000,
      clamped_to_episode_end: false,
    });
    expect(body.file_size_bytes).toBeGreaterThan(10_000);
    const again = await edge.fetch(`/api/v1/audio_clips/${episode}?start_time_ms=300000&duration_ms=3000`, {
      headers: { accept: "application/json" },
    });
    expect(((await again.json()) as { cache_hit: boolean }).cache_hit).toBe(true);
  });

  it("says which parameter is wrong, and never asks the origin", async () => {
    const before = originCalls;
    const res = await edge.fetch(`/api/v1/audio_clips/${episode}?start_time_ms=1.5&duration_ms=1000`);
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toMatchObject({ error: { code: "invalid_parameter", param: "start_time_ms" } });
    expect((await edge.fetch(`/api/v1/audio_clips/-bad?start_time_ms=0&duration_ms=1000`)).status).toBe(400);
    expect((await edge.fetch(`/api/v1/audio_clips/${episode}?start_time_ms=0&duration_ms=300001`)).status).toBe(400);
    expect((await edge.fetch(`/nope`)).status).toBe(404);
    expect((await edge.fetch(clipPath(0), { method: "POST" })).status).toBe(405);
    expect(originCalls).toBe(before);
  });

  it("passes the origin's 404 and 416 through, uncached", async () => {
    const unknown = await edge.fetch(`/api/v1/audio_clips/no-such-episode?start_time_ms=0&duration_ms=1000`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "episode_not_found" } });
    const past = await edge.fetch(`/api/v1/audio_clips/${episode}?start_time_ms=900000&duration_ms=1000`);
    expect(past.status).toBe(416);
    expect(past.headers.get("cache-control")).toBe("no-store");
  });

  it("answers CORS preflight", async () => {
    const res = await edge.fetch(clipPath(0), {
      method: "OPTIONS",
      headers: { origin: "https://podcast.example", "access-control-request-method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("HEAD");
    expect(res.headers.get("access-control-allow-headers")).toContain("Range");
  });
});
