import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { buildWorkerBundle } from "../../scripts/lib/worker-bundle.js";
import { describe, expect, it } from "vitest";
import { parseClipUrl, signClipUrl } from "../../core/index.js";
import { buildWorker, startEdge } from "./helpers/edge.js";
import { scriptedEdgePerTest } from "./helpers/edge-session.js";
import { inOneRateWindow } from "./helpers/rate-window.js";
import { startScriptedOrigin } from "./helpers/stub-origin.js";
import { waitFor } from "../shared/wait-for.js";

const SECRET = "scripted-origin-secret-0123456789";
const CLIP = "/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=1000";
const live = scriptedEdgePerTest();

describe("origin trouble (scripted origin)", () => {
  it("origin down → 502 with Retry-After, nothing cached; after recovery the same request succeeds", async () => {
    live.origin = await startScriptedOrigin();
    const { url } = live.origin;
    const port = Number(new URL(url).port);
    await live.origin.close();
    live.edge = await startEdge({ originUrl: url, originSecret: SECRET });
    const down = await live.edge.fetch(CLIP);
    expect(down.status).toBe(502);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(down.headers.get("cache-control")).toBe("no-store");
    expect(await down.json()).toMatchObject({ error: { code: "bad_gateway" } });
    expect(await (await live.edge.bucket()).head("audio_clips/ep1/0-1000.mp3")).toBeNull();

    live.origin = await startScriptedOrigin(port);
    const up = await live.edge.fetch(CLIP);
    expect([up.status, up.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(live.origin.calls).toBe(1);
    // R2 answered that it has no such clip, and the origin is told so (it may then skip its store check, #15).
    expect(live.origin.mirror).toEqual(["missed"]);
  });

  it("origin 500 → 502, not cached: the next request asks the origin again", async () => {
    live.origin = await startScriptedOrigin();
    live.origin.mode = "error";
    live.edge = await startEdge({ originUrl: live.origin.url, originSecret: SECRET });
    expect((await live.edge.fetch(CLIP)).status).toBe(502);
    live.origin.mode = "ok";
    const res = await live.edge.fetch(CLIP);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(live.origin.bytes)).toBe(true);
    expect(live.origin.calls).toBe(2);
  });

  it("a bytes answer (#15) is served and cached without a download; one shorter than its facts say is a 502, not cached", async () => {
    const origin = (live.origin = await startScriptedOrigin());
    const edge = (live.edge = await startEdge({ originUrl: origin.url, originSecret: SECRET }));
    origin.mode = "short-bytes";
    const short = await edge.fetch(CLIP);
    expect(short.status).toBe(502);
    expect(await edge.cached(CLIP)).toBe(false);
    origin.mode = "bytes";
    const res = await edge.fetch(CLIP);
    expect([res.status, res.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(Buffer.from(await res.arrayBuffer()).equals(origin.bytes)).toBe(true);
    expect(origin.downloads).toBe(0);
    expect(origin.calls).toBe(2);
    // The ETag is the origin's SHA-256 of the bytes, and R2 took them under it.
    const sha256 = createHash("sha256").update(origin.bytes).digest("hex");
    expect(res.headers.get("etag")).toBe(`"${sha256.slice(0, 32)}"`);
    const mirrored = await waitFor(async () => (await edge.bucket()).head("audio_clips/ep1/0-1000.mp3"), "the R2 fill");
    expect(mirrored.checksums.sha256 && Buffer.from(mirrored.checksums.sha256).toString("hex")).toBe(sha256);
  });

  it("bytes damaged between origin and edge (scripted: a real origin cannot be made to) are not mirrored: R2 refuses them against the origin's SHA-256", async () => {
    const origin = (live.origin = await startScriptedOrigin());
    const edge = (live.edge = await startEdge({ originUrl: origin.url, originSecret: SECRET }));
    origin.mode = "damaged-bytes";
    const res = await edge.fetch(CLIP);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await waitFor(() => edge.logs.some((l) => l.includes("filling r2 failed")), "the refused R2 fill's log line");
    expect(await (await edge.bucket()).head("audio_clips/ep1/0-1000.mp3")).toBeNull();
  });

  it("origin hanging → 504 after ORIGIN_TIMEOUT_MS with Retry-After, nothing cached; then a retry works", async () => {
    live.origin = await startScriptedOrigin();
    live.origin.mode = "slow";
    live.edge = await startEdge({
      originUrl: live.origin.url,
      originSecret: SECRET,
      vars: { ORIGIN_TIMEOUT_MS: "300" },
    });
    const res = await live.edge.fetch(CLIP);
    expect(res.status).toBe(504);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toMatchObject({ error: { code: "timeout" } });
    expect(await live.edge.cached(CLIP)).toBe(false);
    expect(await (await live.edge.bucket()).head("audio_clips/ep1/0-1000.mp3")).toBeNull();
    live.origin.mode = "ok";
    const retry = await live.edge.fetch(CLIP);
    expect([retry.status, retry.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(live.origin.calls).toBe(2);
  });

  it("a misconfigured Worker says which setting is wrong (503)", async () => {
    live.edge = await startEdge({ originUrl: "not a url", originSecret: "short" });
    const res = await live.edge.fetch(CLIP);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    // The client is told the service is unavailable; the setting's name is for the operator's log line.
    expect(body.error.code).toBe("service_unavailable");
    const logged = String(live.edge.errorLog(body)?.error);
    expect(logged).toContain("ORIGIN_URL");
    expect(logged).toContain("ORIGIN_SECRET");
  });
});

describe("R2 failures (scripted fault: a failing R2 binding, scripted origin)", () => {
  it("falls back to the origin when R2 fails, and still fills the edge cache", async () => {
    live.origin = await startScriptedOrigin();
    live.edge = await startEdge({ originUrl: live.origin.url, originSecret: SECRET, failingR2: true });
    const first = await live.edge.fetch(CLIP);
    expect([first.status, first.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(Buffer.from(await first.arrayBuffer()).equals(live.origin.bytes)).toBe(true);
    await waitFor(() => live.edge!.cached(CLIP), "the clip in the edge cache");
    const hit = await live.edge.fetch(CLIP);
    expect([hit.status, hit.headers.get("x-edgeclip-layer")]).toEqual([200, "edge-cache"]);
    await live.edge.evict(CLIP);
    const again = await live.edge.fetch(CLIP, { headers: { range: "bytes=0-9" } });
    expect([again.status, again.headers.get("x-edgeclip-layer")]).toEqual([206, "generated"]);
    expect(live.origin.calls).toBe(2);
    // A mirror that failed has not said the clip is new: the origin is not told it missed, so it checks its store.
    expect(live.origin.mirror).toEqual([undefined, undefined]);
    expect(live.edge.logs.some((line) => line.includes("r2 read failed") && line.includes("scripted fault"))).toBe(
      true,
    );
  });
});

describe("configuration (scripted origin)", () => {
  it("applies MAX_CLIP_MS and ALLOWED_ORIGINS from the Worker's vars", async () => {
    live.origin = await startScriptedOrigin();
    live.edge = await startEdge({
      originUrl: live.origin.url,
      originSecret: SECRET,
      vars: { MAX_CLIP_MS: "60000", ALLOWED_ORIGINS: "https://app.example, https://other.example" },
    });
    const tooLong = await live.edge.fetch("/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=60001");
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: { param: "duration_ms" } });

    const allowed = await live.edge.fetch(CLIP, { headers: { origin: "https://app.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-expose-headers")).toContain("Content-Range");
    expect(allowed.headers.get("vary")).toBe("Accept, Origin");
    const stranger = await live.edge.fetch(CLIP, { headers: { origin: "https://evil.example" } });
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await live.edge.fetch(CLIP, {
      method: "OPTIONS",
      headers: { origin: "https://other.example", "access-control-request-method": "GET" },
    });
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([
      204,
      "https://other.example",
    ]);
  });
});

describe("generation rate limit (Workers Rate Limiting binding emulated by workerd, scripted origin)", () => {
  it("answers 429 past the limit for new clips while hits are still served", async () => {
    live.origin = await startScriptedOrigin();
    live.edge = await startEdge({ originUrl: live.origin.url, originSecret: SECRET, generateLimit: 2 });
    const clip = (start: number) => `/api/v1/audio_clips/ep1?start_time_ms=${start}&duration_ms=1000`;
    // Three requests in one 60 s window of the binding, with room for a busy machine.
    await inOneRateWindow(60_000, 20_000);
    expect((await live.edge.fetch(clip(0))).status).toBe(200);
    expect((await live.edge.fetch(clip(1000))).status).toBe(200);
    const limited = await live.edge.fetch(clip(2000));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("cache-control")).toBe("no-store");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited" } });
    // Hits are never limited, and another client may still generate.
    const hit = await live.edge.fetch(clip(0));
    expect([hit.status, hit.headers.get("x-edgeclip-layer")]).toEqual([200, "edge-cache"]);
    const other = await live.edge.fetch(clip(2000), { headers: { "cf-connecting-ip": "198.51.100.2" } });
    expect(other.status).toBe(200);
    expect(live.origin.calls).toBe(3);
  });
});

describe("signed URLs (scripted origin)", () => {
  const keys = [
    { id: "k2", secret: "new-signing-secret-0123456789" },
    { id: "k1", secret: "old-signing-secret-0123456789" },
  ];
  const req = parseClipUrl(new URL(CLIP, "http://edge.test"));
  const path = (url: string) => {
    const u = new URL(url);
    return u.pathname + u.search;
  };
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  it("serves valid signatures (either key) and refuses unsigned, tampered and expired ones", async () => {
    live.origin = await startScriptedOrigin();
    live.edge = await startEdge({
      originUrl: live.origin.url,
      originSecret: SECRET,
      vars: { URL_SIGNING_KEYS: keys.map((k) => `${k.id}:${k.secret}`).join(",") },
    });
    const signed = path(await signClipUrl("http://edge.test", req, keys[0]!, inAnHour()));
    expect((await live.edge.fetch(signed)).status).toBe(200);
    const rotated = path(await signClipUrl("http://edge.test", req, keys[1]!, inAnHour()));
    expect((await live.edge.fetch(rotated)).status).toBe(200);

    const refused = async (p: string) => {
      const res = await live.edge!.fetch(p);
      expect(res.status).toBe(403);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await refused(CLIP)).toMatch(/must be signed/);
    expect(await refused(signed.replace("start_time_ms=0", "start_time_ms=1000"))).toMatch(/does not match/);
    expect(await refused(signed.replace(/exp=\d+/, `exp=${inAnHour() + 60}`))).toMatch(/does not match/);
    const expired = path(await signClipUrl("http://edge.test", req, keys[0]!, Math.floor(Date.now() / 1000) - 1));
    expect(await refused(expired)).toMatch(/expired/);
    const stranger = { id: "k9", secret: "unknown-signing-secret-012345" };
    expect(await refused(path(await signClipUrl("http://edge.test", req, stranger, inAnHour())))).toMatch(
      /unknown key/,
    );
    // JSON mode hands out the canonical edge URL with its signature, and that URL plays.
    const described = (await (await live.edge.fetch(`${signed}&response=json`)).json()) as { clip_url: string };
    expect(described.clip_url).toBe(`http://edge.test${signed}`);
    expect((await live.edge.fetch(path(described.clip_url))).status).toBe(200);
    expect(live.origin.calls).toBe(1);
  });
});

describe("wrangler deploy --dry-run", () => {
  it("bundles the Worker offline with its bindings", async () => {
    const { output } = await buildWorker();
    const [, total, gzip] = /Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+) KiB/.exec(output) ?? [];
    console.log(`[figures] worker bundle: ${total}, gzip ${gzip} KiB`);
    expect(total).toBeDefined();
    // Far below the Workers limit (3 MiB compressed on the free plan): the edge pulls in no heavy dependency.
    expect(Number(gzip)).toBeLessThan(256);
    expect(output).toContain("env.CLIPS (edgeclip-clips)");
    expect(output).toContain("env.GENERATE_BURST (50 requests/10s)");
    expect(output).toContain("env.GENERATE_SUSTAINED (150 requests/60s)");
  });

  it("bundles every deployed environment with its own R2 bucket, rate limit and origin", async () => {
    const expected = { staging: "edgeclip-clips-staging", production: "edgeclip-clips-prod" };
    const bundles = await Promise.all(Object.keys(expected).map((env) => buildWorkerBundle(env)));
    try {
      for (const [i, [env, bucket]] of Object.entries(expected).entries()) {
        const output = bundles[i]?.output ?? "";
        expect(output, env).toContain(`env.CLIPS (${bucket})`);
        expect(output, env).toContain("env.GENERATE_BURST (50 requests/10s)");
        expect(output, env).toContain("env.GENERATE_SUSTAINED (150 requests/60s)");
        expect(output, env).toMatch(/env\.ORIGIN_URL \("https:\/\/REPLACE-/);
      }
    } finally {
      await Promise.all(bundles.map((b) => rm(b.dir, { recursive: true, force: true })));
    }
  }, 120_000);
});
