import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { clipPathForKey, purgeEpisode } from "../../scripts/episodes/purge.js";
import { episodesTarget } from "../../scripts/episodes/target.js";
import { LOCAL_BUCKETS } from "../../scripts/services/env-lines.js";
import { indexDocs } from "../origin/helpers/harness.js";
import { runScript, scriptEnv } from "./helpers/run-script.js";
import { testClients } from "./helpers/test-clients.js";

const dbName = `purge_test_${randomUUID().slice(0, 8)}`;
const env = { ...scriptEnv(dbName), CLOUDFLARE_API_TOKEN: "" };
const clients = testClients([dbName]);
const { s3, mongo } = clients;
const exists = (key: string) => clients.exists(LOCAL_BUCKETS.clips, key);

/** An episode with two clips, a precise clip, a seek index and their records; returns the keys. */
async function seed(id: string): Promise<string[]> {
  const keys = [
    `audio_clips/${id}/0-1000.mp3`,
    `audio_clips/${id}/5000-9000.mp3`,
    `audio_clips/${id}/0-1000.precise.mp3`,
  ];
  for (const Key of keys) {
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKETS.clips, Key, Body: "x" }));
  }
  const db = mongo.db(dbName);
  // A head and a chunk of sizes of one build, and a chunk a failed write left of another.
  await indexDocs(db).insertMany([
    { _id: id as never, episode: id, build: "b1" },
    { _id: `${id}/b1/0` as never, episode: id, build: "b1" },
    { _id: `${id}/b0/0` as never, episode: id, build: "b0" },
  ]);
  await db
    .collection("episodes")
    .insertOne({ episode_id: id, audio_url: "s3://edgeclip-raw/x.mp3", duration_ms: 60_000 });
  await db
    .collection("audio_clips")
    .insertMany(keys.map((s3_key, i) => ({ episode_id: id, clip_start_ms: i, s3_key })));
  return keys;
}

const purge = (...args: string[]) => runScript("scripts/purge.ts", args, env);

describe("npm run purge", () => {
  it("removes the episode's clips, seek index and records, and keeps the episode and other episodes", async () => {
    const id = `purge-${randomUUID().slice(0, 8)}`;
    const other = `keep-${randomUUID().slice(0, 8)}`;
    const keys = await seed(id);
    const kept = await seed(other);
    const res = await purge(id);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `purged ${id}: 3 clip object(s), seek index, R2 skipped, edge cache skipped, 3 record(s)`,
    );
    for (const key of keys) expect(await exists(key)).toBe(false);
    const db = mongo.db(dbName);
    expect(await indexDocs(db).countDocuments({ episode: id })).toBe(0);
    expect(await indexDocs(db).countDocuments({ episode: other })).toBe(3);
    expect(await db.collection("audio_clips").countDocuments({ episode_id: id })).toBe(0);
    expect(await db.collection("episodes").countDocuments({ episode_id: id })).toBe(1);
    for (const key of kept) expect(await exists(key)).toBe(true);
    expect(await db.collection("audio_clips").countDocuments({ episode_id: other })).toBe(3);
    // Again: nothing left, still fine.
    expect((await purge(id)).stdout).toContain("0 clip object(s)");
  });

  it("refuses a bad id or usage before touching anything", async () => {
    const bad = await purge("../escape");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("episode_id must be");
    expect((await purge()).code).toBe(2);
    expect((await purge("a", "b")).code).toBe(2);
  });

  it("deletes from a deployed R2 and purges the Cloudflare cache by URL (scripted Cloudflare API: no account here)", async () => {
    const id = `cf-${randomUUID().slice(0, 8)}`;
    const keys = await seed(id);
    const calls: { method: string; url: string; body: unknown }[] = [];
    const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({
        method: init?.method ?? "GET",
        url: String(url),
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
      });
      return new Response(JSON.stringify({ success: true }), { status: 200 });
    }) as typeof fetch;
    const target = await episodesTarget(env);
    try {
      const report = await purgeEpisode(target, mongo.db(dbName), id, () => {}, {
        apiToken: "token",
        accountId: "acc",
        zoneId: "zone",
        r2Bucket: "edgeclip-clips",
        edgeUrl: "https://clips.example.com",
        fetchFn,
      });
      expect(report).toMatchObject({ clipObjects: 3, r2: "cloudflare", edgeCache: "cloudflare", records: 3 });
    } finally {
      target.s3.destroy();
    }
    const deletes = calls.filter((c) => c.method === "DELETE").map((c) => decodeURIComponent(c.url));
    expect(deletes.sort()).toEqual(
      keys
        .map((k) => `https://api.cloudflare.com/client/v4/accounts/acc/r2/buckets/edgeclip-clips/objects/${k}`)
        .sort(),
    );
    const purges = calls.filter((c) => c.method === "POST");
    expect(purges).toHaveLength(1);
    expect(purges[0]?.url).toBe("https://api.cloudflare.com/client/v4/zones/zone/purge_cache");
    expect((purges[0]?.body as { files: string[] }).files.sort()).toEqual(
      [
        `https://clips.example.com/api/v1/audio_clips/${id}?start_time_ms=0&duration_ms=1000`,
        `https://clips.example.com/api/v1/audio_clips/${id}?start_time_ms=0&duration_ms=1000&precise=1`,
        `https://clips.example.com/api/v1/audio_clips/${id}?start_time_ms=5000&duration_ms=4000`,
        // The episode's facts and waveform, and each clip's share page and embed (#17), are cached at the edge too.
        ...[
          "start_time_ms=0&duration_ms=1000",
          "start_time_ms=0&duration_ms=1000&precise=1",
          "start_time_ms=5000&duration_ms=4000",
        ].flatMap((q) => [`https://clips.example.com/c/${id}?${q}`, `https://clips.example.com/c/${id}?${q}&embed=1`]),
        `https://clips.example.com/api/v1/episodes/${id}`,
        `https://clips.example.com/api/v1/episodes/${id}/waveform`,
      ].sort(),
    );
  });

  it("maps a clip key back to the canonical URL players request", () => {
    expect(clipPathForKey("audio_clips/ep/754000-784000.mp3")).toBe(
      "/api/v1/audio_clips/ep?start_time_ms=754000&duration_ms=30000",
    );
    expect(clipPathForKey("audio_clips/ep/0-1000.precise.mp3")).toBe(
      "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000&precise=1",
    );
    // AAC episodes (#16): the M4A clip is the request without format; its format=mp3 clip has it in the URL.
    expect(clipPathForKey("audio_clips/ep/0-1000.m4a")).toBe("/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000");
    expect(clipPathForKey("audio_clips/ep/0-1000.precise.as-mp3.mp3")).toBe(
      "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000&precise=1&format=mp3",
    );
    expect(clipPathForKey("audio_clips/ep/other.txt")).toBeUndefined();
  });
});
