import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../origin/dev/local-server.js";
import { popularClips } from "../../scripts/warm/popular.js";
import { runWarm } from "../../scripts/warm/run-warm.js";
import { parseWarmList } from "../../scripts/warm/warm-list.js";
import { m4aFaststart } from "../origin/helpers/fixtures.js";
import { type TestOrigin } from "../origin/helpers/harness.js";
import { EDGE, type Edge } from "./helpers/edge.js";
import { startRealEdge, stopRealEdge } from "./helpers/real-edge.js";
import { waitFilled } from "./helpers/wait-filled.js";

// `npm run warm` for an AAC episode through every layer: workerd → local API Gateway stand-in → real origin →
// S3. Its clips are M4A, and a `format=mp3` line warms the MP3 re-encode under its own URL and key.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;

const through = (async (url: string | URL) => {
  const { pathname, search } = new URL(url);
  return edge.fetch(pathname + search);
}) as typeof fetch;

const filled = (path: string, key: string) => waitFilled(edge, path, key);

beforeAll(async () => {
  ({ t, server, edge, episode } = await startRealEdge(m4aFaststart));
});

afterAll(() => stopRealEdge({ t, server, edge }));

describe("warm an AAC episode through the edge", () => {
  it("generates M4A clips (and a format=mp3 one), fills the edge cache and R2 under their keys, then finds them all", async () => {
    const { items, errors } = parseWarmList(
      [
        `${episode} 10000 5000`,
        `${episode} 60000 5000`,
        `/api/v1/audio_clips/${episode}?start_time_ms=10000&duration_ms=5000&format=mp3`,
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    // One at a time: the M4A of 10000-15000 is recorded before its format=mp3 twin is asked for.
    const first = await runWarm(EDGE, items, { concurrency: 1, fetchFn: through });
    expect([first.generated, first.hit, first.failed]).toEqual([3, 0, 0]);

    const keys = [
      `audio_clips/${episode}/10000-15000.m4a`,
      `audio_clips/${episode}/60000-65000.m4a`,
      `audio_clips/${episode}/10000-15000.as-mp3.mp3`,
    ];
    for (const [i, item] of items.entries()) await filled(item.path, keys[i] ?? "");
    const bucket = await edge.bucket();
    const types = await Promise.all(keys.map(async (k) => (await bucket.head(k))?.httpMetadata?.contentType));
    expect(types).toEqual(["audio/mp4", "audio/mp4", "audio/mpeg"]);

    const again = await runWarm(EDGE, items, { concurrency: 2, fetchFn: through });
    expect([again.generated, again.hit, again.failed]).toEqual([0, 3, 0]);
    expect(again.results.map((r) => r.detail)).toEqual(["edge-cache", "edge-cache", "edge-cache"]);
    const served = await edge.fetch(items[0]?.path ?? "");
    expect([served.headers.get("x-edgeclip-layer"), served.headers.get("content-type")]).toEqual([
      "edge-cache",
      "audio/mp4",
    ]);
  });

  it("--popular (after the warm above) warms the AAC episode's records as the requests they were cut for", async () => {
    const { items, errors } = await popularClips(t.db, "audio_clips", 10);
    expect(errors).toEqual([]);
    const mine = items.filter((i) => i.request.episodeId === episode).map((i) => i.path);
    // The format=mp3 clip of 10000-15000 shares the record of its range, which names the M4A cut first.
    expect(mine.sort()).toEqual([
      `/api/v1/audio_clips/${episode}?start_time_ms=10000&duration_ms=5000`,
      `/api/v1/audio_clips/${episode}?start_time_ms=60000&duration_ms=5000`,
    ]);
    const summary = await runWarm(EDGE, items, { concurrency: 2, fetchFn: through });
    expect([summary.generated, summary.hit, summary.failed]).toEqual([0, items.length, 0]);
  });
});
