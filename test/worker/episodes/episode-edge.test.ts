import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../../origin/dev/local-server.js";
import { vbrWithId3 } from "../../origin/helpers/fixtures.js";
import type { TestOrigin } from "../../origin/helpers/harness.js";
import type { Edge } from "../helpers/edge.js";
import { startRealEdge, stopRealEdge } from "../helpers/real-edge.js";
import { waitFor } from "../../shared/wait-for.js";

// workerd → local API Gateway stand-in → origin (FerretDB, versitygw, FFmpeg), for an episode's facts and peaks.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;
let durationMs: number;
const originPaths: string[] = [];

/** The edge fills its cache in waitUntil, after the answer. */
const cached = (path: string) => waitFor(() => edge.cached(path), `the edge caching ${path}`);

beforeAll(async () => {
  const real = await startRealEdge(vbrWithId3, {
    facts: { title: "Peaks & valleys", imageUrl: "https://img.example/cover.jpg" },
    wrap: (origin) => ({
      ffmpeg: origin.ffmpeg,
      close: () => origin.close(),
      handle: (event, context) => {
        originPaths.push((event as { rawPath: string }).rawPath);
        return origin.handle(event, context);
      },
    }),
  });
  ({ t, server, edge, episode } = real);
  durationMs = real.fixture.durationMs;
});

afterAll(() => stopRealEdge({ t, server, edge }));

describe("episode facts and waveform through the edge", () => {
  it("builds the waveform at the origin once, then serves it from the edge cache with the clip rules", async () => {
    const path = `/api/v1/episodes/${episode}/waveform`;
    const first = await edge.fetch(path);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-edgeclip-layer")).toBe("generated");
    expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(first.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const body = (await first.json()) as { version: number; length: number; data: number[] };
    expect(body.version).toBe(2);
    expect(Math.abs(body.length - durationMs / 100)).toBeLessThanOrEqual(1);
    await cached(path);

    const calls = originPaths.length;
    // Unknown parameters do not split the cache.
    const again = await edge.fetch(`${path}?utm_source=x`);
    expect(again.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.json()).toEqual(body);
    const revalidated = await edge.fetch(path, { headers: { "if-none-match": etag as string } });
    expect(revalidated.status).toBe(304);
    const head = await edge.fetch(path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(originPaths.length).toBe(calls);
  });

  it("serves the public facts, cached the same way", async () => {
    const path = `/api/v1/episodes/${episode}`;
    const res = await edge.fetch(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.json()).toEqual({
      episode_id: episode,
      title: "Peaks & valleys",
      show: null,
      duration_ms: durationMs,
      image_url: "https://img.example/cover.jpg",
      waveform_path: `/api/v1/episodes/${episode}/waveform`,
    });
    await cached(path);
    expect((await edge.fetch(path)).headers.get("x-edgeclip-layer")).toBe("edge-cache");
  });

  it("404s an unknown episode without caching it, 400s a bad id, answers CORS preflight", async () => {
    const path = `/api/v1/episodes/nope-${randomUUID()}/waveform`;
    const unknown = await edge.fetch(path);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("cache-control")).toBe("no-store");
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("episode_not_found");
    expect(await edge.cached(path)).toBe(false);
    expect((await edge.fetch(`/api/v1/episodes/-bad/waveform`)).status).toBe(400);
    expect((await edge.fetch(`/api/v1/episodes/${episode}/peaks`)).status).toBe(404);
    const preflight = await edge.fetch(`/api/v1/episodes/${episode}/waveform`, {
      method: "OPTIONS",
      headers: { origin: "https://site.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect((await edge.fetch(`/api/v1/episodes/${episode}`, { method: "POST" })).status).toBe(405);
  });
});

describe("labelled clips through the edge", () => {
  it("download=1 names the file after the clip's tag without splitting the cache", async () => {
    const clip = `/api/v1/audio_clips/${episode}?start_time_ms=61000&duration_ms=3000`;
    const plain = await edge.fetch(clip);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-disposition")).toBeNull();
    const bytes = Buffer.from(await plain.arrayBuffer());
    expect(bytes.subarray(0, 3).toString("latin1")).toBe("ID3");
    await cached(clip);
    const calls = originPaths.length;
    const download = await edge.fetch(`${clip}&download=1`);
    expect(download.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(originPaths.length).toBe(calls);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="Peaks & valleys, 1.01-1.04.mp3"; filename*=UTF-8''${encodeURIComponent("Peaks & valleys, 1.01-1.04.mp3")}`,
    );
    expect(download.headers.get("access-control-expose-headers")).toContain("Content-Disposition");
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
