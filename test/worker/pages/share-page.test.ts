import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClipRequest, signClipUrl } from "../../../core/index.js";
import type { LocalOriginServer } from "../../../origin/dev/local-server.js";
import { vbrWithId3 } from "../../origin/helpers/fixtures.js";
import { SECRET, type TestOrigin } from "../../origin/helpers/harness.js";
import { EDGE, startEdge, type Edge } from "../helpers/edge.js";
import { startRealEdge, stopRealEdge } from "../helpers/real-edge.js";
import { waitFor } from "../../shared/wait-for.js";

// Share pages and oEmbed for real: workerd → local API Gateway stand-in → origin → FerretDB, versitygw, FFmpeg.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let signedEdge: Edge;
let episode: string;
let durationMs: number;
const KEY = { id: "k1", secret: "share-page-signing-secret-01" };

const meta = (html: string, key: string) =>
  new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`)
    .exec(html)?.[1]
    ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

beforeAll(async () => {
  const real = await startRealEdge(vbrWithId3, {
    facts: { title: "Peaks & <valleys>", show: "The Show", imageUrl: "https://img.example/cover.jpg" },
  });
  ({ t, server, edge, episode } = real);
  durationMs = real.fixture.durationMs;
  signedEdge = await startEdge({
    originUrl: server.url,
    originSecret: SECRET,
    vars: { URL_SIGNING_KEYS: `${KEY.id}:${KEY.secret}` },
  });
});

afterAll(async () => {
  await signedEdge?.close();
  await stopRealEdge({ t, server, edge });
});

describe("share pages", () => {
  it("unfurl with Open Graph and Twitter player tags, show the clip's waveform and a player, cached like clips", async () => {
    // A non-canonical spelling: the page names the canonical URLs.
    const res = await edge.fetch(`/c/${episode}?duration_ms=3000&start_time_ms=061000&utm=x`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const html = await res.text();
    const clipUrl = `${EDGE}/api/v1/audio_clips/${episode}?start_time_ms=61000&duration_ms=3000`;
    expect(meta(html, "og:title")).toBe("Peaks & <valleys>, 1:01–1:04");
    expect(html).not.toContain("<valleys>");
    expect(meta(html, "og:audio")).toBe(clipUrl);
    expect(meta(html, "og:audio:type")).toBe("audio/mpeg");
    expect(meta(html, "og:image")).toBe("https://img.example/cover.jpg");
    expect(meta(html, "og:url")).toBe(`${EDGE}/c/${episode}?start_time_ms=61000&duration_ms=3000`);
    expect(meta(html, "og:description")).toBe("A 3 s clip of The Show, from 1:01 to 1:04.");
    expect(meta(html, "twitter:card")).toBe("player");
    expect(meta(html, "twitter:player")).toBe(`${EDGE}/c/${episode}?start_time_ms=61000&duration_ms=3000&embed=1`);
    expect(html).toContain(`<audio controls preload="metadata" src="${clipUrl.replace(/&/g, "&#38;")}"`);
    expect(html).toMatch(/<link rel="alternate" type="application\/json\+oembed" href="[^"]+\/oembed\?format=json/);
    // 3 s of 100 ms pixels: 30 bars of the clip's own peaks.
    const strokes = /<svg class="wave"[^>]*><path d="([^"]*)"/.exec(html)?.[1]?.match(/M/g) ?? [];
    expect(strokes).toHaveLength(30);

    await waitFor(() => edge.cached(`/c/${episode}?start_time_ms=61000&duration_ms=3000`), "the share page cached");
    const again = await edge.fetch(`/c/${episode}?start_time_ms=61000&duration_ms=3000`);
    expect(again.headers.get("x-edgeclip-layer")).toBe("edge-cache");
    expect(again.headers.get("etag")).toBe(etag);
    expect(
      (
        await edge.fetch(`/c/${episode}?start_time_ms=61000&duration_ms=3000`, {
          headers: { "if-none-match": etag as string },
        })
      ).status,
    ).toBe(304);
  });

  it("the embed page and oEmbed describe the compact player", async () => {
    const embed = await (await edge.fetch(`/c/${episode}?start_time_ms=61000&duration_ms=3000&embed=1`)).text();
    expect(embed).toContain('<body class="embed">');
    const share = `${EDGE}/c/${episode}?start_time_ms=61000&duration_ms=3000`;
    const res = await edge.fetch(`/oembed?format=json&url=${encodeURIComponent(share)}&maxwidth=400`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      version: "1.0",
      type: "rich",
      provider_name: "edgeclip",
      title: "Peaks & <valleys>, 1:01–1:04",
      author_name: "The Show",
      thumbnail_url: "https://img.example/cover.jpg",
      width: 400,
      height: 160,
    });
    expect(body.html).toContain(`src="${EDGE}/c/${episode}?start_time_ms=61000&#38;duration_ms=3000&#38;embed=1"`);
    expect(
      (
        await edge.fetch(
          `/oembed?url=${encodeURIComponent("https://elsewhere.example/c/x?start_time_ms=0&duration_ms=2000")}`,
        )
      ).status,
    ).toBe(404);
    expect((await edge.fetch(`/oembed?format=xml&url=${encodeURIComponent(share)}`)).status).toBe(400);
  });

  it("answers the clip's errors: 400, 404 and 416, never cached", async () => {
    expect((await edge.fetch(`/c/${episode}?start_time_ms=-1&duration_ms=3000`)).status).toBe(400);
    const unknown = await edge.fetch(`/c/nope-${randomUUID()}?start_time_ms=0&duration_ms=3000`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("cache-control")).toBe("no-store");
    expect((await edge.fetch(`/c/${episode}?start_time_ms=${durationMs + 1000}&duration_ms=3000`)).status).toBe(416);
  });

  it("with URL signing on, needs the clip's signature and carries it to the player", async () => {
    const req = parseClipRequest(episode, new URLSearchParams("start_time_ms=5000&duration_ms=2000"));
    const signedClip = new URL(await signClipUrl(EDGE, req, KEY, Math.floor(Date.now() / 1000) + 600));
    const page = `/c/${episode}${signedClip.search}`;
    expect((await signedEdge.fetch(`/c/${episode}?start_time_ms=5000&duration_ms=2000`)).status).toBe(403);
    const res = await signedEdge.fetch(page);
    expect(res.status).toBe(200);
    const audio = meta(await res.text(), "og:audio") as string;
    expect(new URL(audio).searchParams.get("sig")).toBe(signedClip.searchParams.get("sig"));
    const played = await signedEdge.fetch(new URL(audio).pathname + new URL(audio).search, { method: "HEAD" });
    expect(played.status).toBe(200);
  });
});
