/**
 * Purging an AAC episode, whose clips the real origin cut: its `.m4a` clips and its `format=mp3` ones
 * (`….as-mp3.mp3`), the AAC index, the records, the R2 mirror and every edge URL those clips are cached under.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeEpisode } from "../../scripts/episodes/purge.js";
import { episodesTarget } from "../../scripts/episodes/target.js";
import { m4aFaststart } from "../origin/helpers/fixtures.js";
import {
  BUCKETS,
  clipKeys,
  hasStoredIndex,
  seedFixtureEpisode,
  startTestOrigin,
  testS3,
  type TestOrigin,
} from "../origin/helpers/harness.js";
import { clipPath } from "../origin/helpers/leftovers.js";
import { scriptEnv } from "./helpers/run-script.js";

let t: TestOrigin;

beforeAll(async () => {
  t = await startTestOrigin();
});

afterAll(() => t?.close());

/** A scripted Cloudflare API (no account here) that records what purge asked of it. */
function scriptedCloudflare() {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    const body = init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined;
    calls.push({ method: init?.method ?? "GET", url: String(url), body });
    return new Response(JSON.stringify({ success: true }), { status: 200 });
  }) as typeof fetch;
  const cf = {
    apiToken: "token",
    accountId: "acc",
    zoneId: "zone",
    r2Bucket: BUCKETS.clips,
    edgeUrl: "https://clips.example.com",
    fetchFn,
  };
  return { calls, cf };
}

describe("purge of an AAC episode", () => {
  it("removes its .m4a and format=mp3 clips, its index and records, and purges their edge URLs; the next clip is cut anew", async () => {
    const id = await seedFixtureEpisode(t.db, await m4aFaststart());
    const asked = [
      clipPath(id, 10_000),
      `${clipPath(id, 10_000)}&format=mp3`,
      `${clipPath(id, 40_000, 5_000)}&precise=1&format=mp3`,
    ];
    for (const p of asked) expect((await t.request(p)).status).toBe(200);
    // A clip left from before the episode was re-encoded to AAC: same range, the MP3 key.
    await testS3.send(
      new PutObjectCommand({ Bucket: BUCKETS.clips, Key: `audio_clips/${id}/10000-20000.mp3`, Body: "old mp3" }),
    );
    const keys = (await clipKeys(id)).sort();
    expect(keys).toEqual([
      `audio_clips/${id}/10000-20000.as-mp3.mp3`,
      `audio_clips/${id}/10000-20000.m4a`,
      `audio_clips/${id}/10000-20000.mp3`,
      `audio_clips/${id}/40000-45000.precise.as-mp3.mp3`,
    ]);

    // Records are per range as cut (clip_lookup_idx): the format=mp3 clip of a range shares its M4A's record.
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: id })).toBe(2);
    expect(await hasStoredIndex(t.db, id)).toBe(true);
    const { calls, cf } = scriptedCloudflare();
    const target = await episodesTarget(scriptEnv(t.db.databaseName));
    try {
      const report = await purgeEpisode(target, t.db, id, () => {}, cf);
      expect(report).toMatchObject({ clipObjects: 4, r2: "cloudflare", edgeCache: "cloudflare", records: 2 });
    } finally {
      target.s3.destroy();
    }
    expect(await clipKeys(id)).toEqual([]);
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: id })).toBe(0);
    expect(await hasStoredIndex(t.db, id)).toBe(false);

    const deletes = calls.filter((c) => c.method === "DELETE").map((c) => decodeURIComponent(c.url));
    expect(deletes.sort()).toEqual(
      keys.map((k) => `https://api.cloudflare.com/client/v4/accounts/acc/r2/buckets/${BUCKETS.clips}/objects/${k}`),
    );
    const files = calls.filter((c) => c.method === "POST").flatMap((c) => (c.body as { files: string[] }).files);
    const queries = [
      "start_time_ms=10000&duration_ms=10000",
      "start_time_ms=10000&duration_ms=10000&format=mp3",
      "start_time_ms=40000&duration_ms=5000&precise=1&format=mp3",
    ];
    expect(files.sort()).toEqual(
      [
        ...queries.flatMap((q) => [
          `https://clips.example.com/api/v1/audio_clips/${id}?${q}`,
          `https://clips.example.com/c/${id}?${q}`,
          `https://clips.example.com/c/${id}?${q}&embed=1`,
        ]),
        `https://clips.example.com/api/v1/episodes/${id}`,
        `https://clips.example.com/api/v1/episodes/${id}/waveform`,
      ].sort(),
    );
    // Each URL once, though two objects (the old MP3 and the M4A) answer the same request.
    expect(new Set(files).size).toBe(files.length);

    const again = await t.request(clipPath(id, 10_000));
    expect(again.json).toMatchObject({ cache_hit: false, content_type: "audio/mp4" });
    expect(await clipKeys(id)).toEqual([`audio_clips/${id}/10000-20000.m4a`]);
  });
});
