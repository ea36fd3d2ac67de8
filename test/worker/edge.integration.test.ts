import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../origin/dev/local-server.js";
import type { Origin } from "../../origin/origin.js";
import { cbrTenMinutes, type Fixture } from "../origin/helpers/fixtures.js";
import { type TestOrigin } from "../origin/helpers/harness.js";
import { type Edge } from "./helpers/edge.js";
import { startRealEdge, stopRealEdge } from "./helpers/real-edge.js";
import { spoilR2, waitFilled } from "./helpers/wait-filled.js";
import { waitFor } from "../shared/wait-for.js";

// The whole miss path for real: workerd → local API Gateway stand-in → origin → FerretDB, versitygw, FFmpeg.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;
let episodeMs: number;
let originCalls = 0;

const clipPath = (start: number, duration = 2000) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=${duration}`;
const clipKey = (start: number, duration = 2000) => `audio_clips/${episode}/${start}-${start + duration}.mp3`;

const filled = (start: number) => waitFilled(edge, clipPath(start), clipKey(start));

beforeAll(async () => {
  // Counts the calls that reach the origin, to prove which layer answered.
  const wrap = (origin: Origin): Origin => ({
    ffmpeg: origin.ffmpeg,
    close: () => origin.close(),
    handle: (event, context) => {
      originCalls++;
      return origin.handle(event, context);
    },
  });
  let fixture: Fixture;
  ({ t, server, edge, episode, fixture } = await startRealEdge(cbrTenMinutes, { wrap }));
  episodeMs = fixture.durationMs;
});

afterAll(() => stopRealEdge({ t, server, edge }));

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
    // #15: the fresh clip came back inside the origin's answer, so the edge fetched nothing from S3.
    const originLine = () => t.logs.filter((l) => l.msg === "clip request").at(-1);
    expect(originLine()).toMatchObject({ outcome: "generated", answer: "bytes" });
    await filled(60_000);

    const cached = await edge.fetch(clipPath(60_000));
    expect(cached.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(cached.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await cached.arrayBuffer()).equals(bytes)).toBe(true);

    expect(await edge.evict(clipPath(60_000))).toBe(true);
    const fromR2 = await edge.fetch(clipPath(60_000));
    expect(fromR2.headers.get("x-edgeclip-layer")).toBe("r2");
    expect(fromR2.headers.get("etag")).toBe(etag);
    expect(fromR2.headers.get("content-length")).toBe(String(bytes.length));
    expect(Buffer.from(await fromR2.arrayBuffer()).equals(bytes)).toBe(true);
    // #15: R2 vouched for the bytes (the SHA-256 it checked on upload), so they streamed, and the other branch
    // of the same body filled the edge cache with the whole clip.
    await expect.poll(() => edge.cached(clipPath(60_000))).toBe(true);
    const refilled = await edge.fetch(clipPath(60_000));
    expect(refilled.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(Buffer.from(await refilled.arrayBuffer()).equals(bytes)).toBe(true);

    // #15: gone from the cache and R2, the clip is asked as new: the origin cuts it again without a store check,
    // its conditional PUT finds the stored one, and the bytes are the same.
    await edge.evict(clipPath(60_000));
    await (await edge.bucket()).delete(clipKey(60_000));
    const again = await edge.fetch(clipPath(60_000));
    expect(again.headers.get("x-edgeclip-layer")).toBe("generated");
    expect(originLine()).toMatchObject({ store_check: "deferred to the PUT", stored: "existed", answer: "bytes" });
    expect(again.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    await filled(60_000);
    // R2's copy there but spoiled: the origin checks its store first, and its S3 copy answers.
    await edge.evict(clipPath(60_000));
    await spoilR2(edge, clipKey(60_000));
    const originHit = await edge.fetch(clipPath(60_000));
    expect(originHit.headers.get("x-edgeclip-layer")).toBe("origin-hit");
    // A hit has no bytes in the origin's memory: its pre-signed URL is the way, and the bytes are the same.
    expect(originLine()).toMatchObject({ outcome: "hit", answer: "url" });
    expect(originHit.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await originHit.arrayBuffer()).equals(bytes)).toBe(true);
    expect(originCalls - before).toBe(3);
  });

  it("fills R2 with the clip under the S3 key, with its metadata", async () => {
    const res = await edge.fetch(clipPath(90_000));
    const size = (await res.arrayBuffer()).byteLength;
    await filled(90_000);
    const object = await (await edge.bucket()).head(clipKey(90_000));
    expect(object?.customMetadata).toEqual({
      "clip-start-ms": "90000",
      "clip-end-ms": "92000",
      clamped: "false",
      "file-size-bytes": String(size),
      etag: res.headers.get("etag"),
    });
    expect(object?.size).toBe(size);
    // Written with the bytes' SHA-256, which R2 checked and keeps: the ETag is its first half.
    const sha256 = object?.checksums.sha256;
    expect(sha256).toBeDefined();
    expect(`"${Buffer.from(sha256!).toString("hex").slice(0, 32)}"`).toBe(res.headers.get("etag"));
    expect(object?.httpMetadata).toMatchObject({
      contentType: "audio/mpeg",
      cacheControl: "public, max-age=31536000, immutable",
    });
  });

  it("normalizes equivalent spellings to one origin call and one cache entry", async () => {
    const before = originCalls;
    const spellings = [
      `/api/v1/audio_clips/${episode}?start_time_ms=120000&duration_ms=2000`,
      `/api/v1/audio_clips/${episode}?duration_ms=02000&start_time_ms=0120000`,
      `/api/v1/audio_clips/${episode}?end_time_ms=122000&start_time_ms=120000&utm_source=feed`,
    ];
    const layers = [];
    for (const [i, spelling] of spellings.entries()) {
      const res = await edge.fetch(spelling);
      expect(res.status).toBe(200);
      layers.push(res.headers.get("x-edgeclip-layer"));
      if (i === 0) await filled(120_000);
    }
    expect(layers).toEqual(["generated", "edge-cache", "edge-cache"]);
    expect(originCalls - before).toBe(1);
    // One cache entry, under the canonical URL only.
    expect(await Promise.all(spellings.map((p) => edge.cached(p)))).toEqual([true, false, false]);
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
  const LAYERS = ["generated", "edge-cache", "r2", "origin-hit"];
  let nextStart = 200_000;

  /**
   * Asks for a fresh clip once through each layer, in the order that reaches it (a miss generates; then the
   * cache; R2 with the cache evicted; the origin's S3 hit with the cache evicted and R2's copy spoiled), then
   * fetches the whole clip.
   */
  async function askEveryLayer(init: { method?: string; headers?: Record<string, string> }) {
    const start = (nextStart += 3000);
    const answers: { res: Response; body: Buffer }[] = [];
    const ask = async () => {
      const res = await edge.fetch(clipPath(start), init);
      answers.push({ res, body: Buffer.from(await res.arrayBuffer()) });
    };
    await ask();
    await filled(start);
    await ask();
    await edge.evict(clipPath(start));
    await ask();
    await edge.evict(clipPath(start));
    await spoilR2(edge, clipKey(start));
    await ask();
    const whole = Buffer.from(await (await edge.fetch(clipPath(start))).arrayBuffer());
    return { answers, whole };
  }

  it.each([
    ["bytes=0-99", (_size: number) => [0, 99]],
    ["bytes=100-", (size: number) => [100, size - 1]],
    ["bytes=-500", (size: number) => [size - 500, size - 1]],
    ["bytes=10-999999999", (size: number) => [10, size - 1]],
  ])("answers Range %s with 206, the right Content-Range and those bytes", async (range, expected) => {
    const { answers, whole } = await askEveryLayer({ headers: { range } });
    const [start, end] = expected(whole.length) as [number, number];
    expect(answers.map(({ res }) => res.headers.get("x-edgeclip-layer"))).toEqual(LAYERS);
    for (const { res, body } of answers) {
      expect(res.status).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/${whole.length}`);
      expect(res.headers.get("content-length")).toBe(String(end - start + 1));
      expect(body.equals(whole.subarray(start, end + 1))).toBe(true);
    }
  });

  it("answers an unsatisfiable Range with 416 and bytes */size", async () => {
    const { answers, whole } = await askEveryLayer({ headers: { range: "bytes=99999999-" } });
    for (const { res, body } of answers) {
      expect(res.status).toBe(416);
      expect(res.headers.get("content-range")).toBe(`bytes */${whole.length}`);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(JSON.parse(body.toString())).toMatchObject({ error: { code: "range_not_satisfiable" } });
    }
  });

  it("answers HEAD with the full headers and no body", async () => {
    const { answers, whole } = await askEveryLayer({ method: "HEAD" });
    expect(answers.map(({ res }) => res.headers.get("x-edgeclip-layer"))).toEqual(LAYERS);
    for (const { res, body } of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe(String(whole.length));
      expect(res.headers.get("accept-ranges")).toBe("bytes");
      expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
      expect(body.length).toBe(0);
    }
  });

  it("answers If-None-Match with 304 from every layer that can have given the ETag", async () => {
    const path = clipPath(250_000);
    const first = await edge.fetch(path);
    const etag = first.headers.get("etag") as string;
    await filled(250_000);
    const notModified = async (layer: string, ifNoneMatch = etag) => {
      const res = await edge.fetch(path, { headers: { "if-none-match": ifNoneMatch } });
      expect([res.status, res.headers.get("x-edgeclip-layer"), res.headers.get("etag")]).toEqual([304, layer, etag]);
    };
    await notModified("edge-cache", `"other", W/${etag}`);
    await edge.evict(path);
    await notModified("r2");
    await edge.evict(path);
    await spoilR2(edge, clipKey(250_000));
    await notModified("origin-hit");
    const changed = await edge.fetch(path, { headers: { "if-none-match": '"something-else"' } });
    expect(changed.status).toBe(200);
  });

  it("serves every layer's answer with the same player headers", async () => {
    const { answers } = await askEveryLayer({});
    const headers = answers.map(({ res }) => ({
      type: res.headers.get("content-type"),
      cache: res.headers.get("cache-control"),
      cors: res.headers.get("access-control-allow-origin"),
      expose: res.headers.get("access-control-expose-headers"),
      vary: res.headers.get("vary"),
      etag: res.headers.get("etag"),
    }));
    for (const h of headers) expect(h).toEqual(headers[0]);
    expect(headers[0]?.expose).toMatch(/Content-Range.*Content-Length.*ETag/);
    expect(headers[0]?.vary).toBe("Accept");
    for (const { res } of answers) expect(res.headers.get("server-timing")).toMatch(/^edge;dur=\d+;desc="[a-z0-9-]+"$/);
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
    expect(again.headers.get("vary")).toBe("Accept");
    expect(((await again.json()) as { cache_hit: boolean }).cache_hit).toBe(true);
    // The clip_url serves the audio; a player's Accept that names audio gets audio even if it names JSON too.
    const audio = await edge.fetch(
      new URL(body.clip_url as string).pathname + new URL(body.clip_url as string).search,
      {
        headers: { accept: "audio/*, application/json;q=0.5" },
      },
    );
    expect([audio.status, audio.headers.get("content-type")]).toEqual([200, "audio/mpeg"]);
    expect((await audio.arrayBuffer()).byteLength).toBe(body.file_size_bytes);
  });

  it("cuts a clip that runs past the episode at its end, and says so in both modes", async () => {
    const start = Math.floor(episodeMs) - 2000;
    const path = `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=5000`;
    const json = (await (await edge.fetch(`${path}&response=json`)).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ clip_start_ms: start, clamped_to_episode_end: true });
    // The audio's exact end from the seek index: at most the catalog's ffprobe duration, within two frames of it.
    const end = Number(json.clip_end_ms);
    expect(end).toBeLessThanOrEqual(episodeMs);
    expect(end).toBeGreaterThan(episodeMs - 53);
    const audio = await edge.fetch(path);
    expect([audio.status, audio.headers.get("x-edgeclip-layer")]).toEqual([200, "edge-cache"]);
    expect(audio.headers.get("x-edgeclip-clamped")).toBe("true");
    // The key is the requested range, so a lookup finds it before anyone knows the episode's length.
    const object = await waitFor(
      async () => (await edge.bucket()).head(`audio_clips/${episode}/${start}-${start + 5000}.mp3`),
      "the clamped clip in R2",
    );
    expect(object?.customMetadata).toMatchObject({ "clip-end-ms": String(end), clamped: "true" });
  });

  it("passes the origin's 404 and 416 through, uncached", async () => {
    const before = originCalls;
    const unknownPath = `/api/v1/audio_clips/no-such-episode?start_time_ms=0&duration_ms=1000`;
    for (let i = 0; i < 2; i++) {
      const unknown = await edge.fetch(unknownPath);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("cache-control")).toBe("no-store");
      expect(await unknown.json()).toMatchObject({ error: { code: "episode_not_found" } });
    }
    const past = await edge.fetch(`/api/v1/audio_clips/${episode}?start_time_ms=900000&duration_ms=1000`);
    expect(past.status).toBe(416);
    expect(past.headers.get("cache-control")).toBe("no-store");
    expect(await past.json()).toMatchObject({ error: { code: "start_beyond_end" } });
    // Nothing was kept: each request asked the origin.
    expect(originCalls - before).toBe(3);
    expect(await edge.cached(unknownPath)).toBe(false);
    expect(await (await edge.bucket()).head("audio_clips/no-such-episode/0-1000.mp3")).toBeNull();
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
