import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aacTwentySeconds, cbrTenMinutes, vbrWithId3 } from "../helpers/fixtures.js";
import { clipKeys, seedEpisode, startTestOrigin, uploadFixture, type TestOrigin } from "../helpers/harness.js";

// #15: the cut of an indexed MP3 or AAC source starts as soon as the catalog answers, beside the store check, so
// a miss waits for the slower of the two instead of both; once the container has cut the episode, it starts
// before the catalog answers, from what the catalog said then, and is dropped if the answer changed. Only those
// cheap kinds start early: a hit drops them, and never pays for FFmpeg or an index build it did not need.
let t: TestOrigin;
let episode: string;

beforeAll(async () => {
  const [origin, cbr] = await Promise.all([startTestOrigin(), cbrTenMinutes()]);
  t = origin;
  episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(cbr), durationMs: cbr.durationMs });
  // The first miss builds and stores the index: builds are never started early.
  const first = await t.request(clipPath(1_000));
  expect(first.logged.cut_started).toBeUndefined();
}, 120_000);

afterAll(() => t?.close());

const clipPath = (startMs: number, extra = "") =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=5000${extra}`;

describe("a cut started before the store check", () => {
  it("is the miss's cut once the index is known: one object, one record, the usual answer", async () => {
    const res = await t.request(clipPath(20_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, false]);
    expect(res.logged).toMatchObject({
      // The first miss cut this episode: this one did not wait for the catalog either.
      cut_started: "before the catalog read",
      cut_method: "frames",
      stored: "created",
    });
    expect((await clipKeys(episode)).filter((k) => k.endsWith("/20000-25000.mp3"))).toHaveLength(1);
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode, clip_start_ms: 20_000 })).toBe(1);
  });

  it("is dropped by a hit: nothing uploaded or recorded again", async () => {
    const hit = await t.request(clipPath(20_000));
    expect(hit.json.cache_hit).toBe(true);
    const steps = Object.keys(hit.logged.steps as object);
    expect(steps).toContain("speculate-cut");
    expect(steps).not.toContain("cut");
    expect(steps).not.toContain("upload");
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode, clip_start_ms: 20_000 })).toBe(1);
  });

  it("never starts FFmpeg: precise=1 waits for the store check, and its hit runs none", async () => {
    const miss = await t.request(clipPath(40_000, "&precise=1"));
    expect(miss.json.cache_hit).toBe(false);
    expect(miss.logged.cut_started).toBeUndefined();
    const runs = t.ffmpegRuns.length;
    const hit = await t.request(clipPath(40_000, "&precise=1"));
    expect(hit.json.cache_hit).toBe(true);
    expect(t.ffmpegRuns.length).toBe(runs);
  });
});

describe("an AAC source's cut", () => {
  it("also starts before the store check once its index is known, and a hit drops it", async () => {
    const m4a = await aacTwentySeconds();
    const id = await seedEpisode(t.db, { audioUrl: await uploadFixture(m4a), durationMs: m4a.durationMs });
    const path = (startMs: number) => `/api/v1/audio_clips/${id}?start_time_ms=${startMs}&duration_ms=4000`;
    expect((await t.request(path(1_000))).logged.cut_started).toBeUndefined(); // builds the index
    const miss = await t.request(path(9_000));
    expect([miss.status, miss.json.cache_hit]).toEqual([200, false]);
    expect(miss.logged).toMatchObject({
      cut_started: "before the catalog read",
      cut_method: "packets",
      stored: "created",
    });
    expect((await clipKeys(id)).filter((k) => k.endsWith("/9000-13000.m4a"))).toHaveLength(1);
    const hit = await t.request(path(9_000));
    expect(hit.json.cache_hit).toBe(true);
    expect(Object.keys(hit.logged.steps as object)).not.toContain("upload");
  });
});

describe("a cut started before the catalog answers", () => {
  const at = (id: string, startMs: number) => `/api/v1/audio_clips/${id}?start_time_ms=${startMs}&duration_ms=3000`;
  const records = (id: string) => t.db.collection("audio_clips").countDocuments({ episode_id: id });

  async function cutTwice(): Promise<string> {
    const cbr = await cbrTenMinutes();
    const id = await seedEpisode(t.db, { audioUrl: await uploadFixture(cbr), durationMs: cbr.durationMs });
    expect((await t.request(at(id, 1_000))).logged.cut_started).toBeUndefined(); // builds the index
    expect((await t.request(at(id, 4_000))).logged.cut_started).toBe("before the catalog read");
    return id;
  }

  it("is dropped when the catalog now points the episode at other audio, and the clip is cut from that", async () => {
    const id = await cutTwice();
    const vbr = await vbrWithId3();
    const moved = { audio_url: await uploadFixture(vbr), duration_ms: vbr.durationMs };
    await t.db.collection("episodes").updateOne({ episode_id: id }, { $set: moved });
    const res = await t.request(at(id, 8_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, false]);
    expect(res.logged).toMatchObject({ speculation: "dropped: the catalog changed", stored: "created" });
    expect(res.logged.cut_started).toBeUndefined();
    // The same clip as an episode that always pointed at that audio gets.
    const control = await seedEpisode(t.db, { audioUrl: moved.audio_url, durationMs: vbr.durationMs });
    const expected = await t.request(at(control, 8_000));
    expect(res.json.file_size_bytes).toBe(expected.json.file_size_bytes);
    expect(res.json.clip_end_ms).toBe(expected.json.clip_end_ms);
  });

  it("is dropped when the catalog now says the episode is shorter: the clip is clamped at the new end", async () => {
    const id = await cutTwice();
    await t.db.collection("episodes").updateOne({ episode_id: id }, { $set: { duration_ms: 10_000 } });
    const res = await t.request(at(id, 8_000));
    expect(res.logged).toMatchObject({ speculation: "dropped: the catalog changed" });
    expect([res.json.clip_end_ms, res.json.clamped_to_episode_end]).toEqual([10_000, true]);
  });

  it("is dropped when the episode is gone from the catalog: 404, nothing stored or recorded", async () => {
    const id = await cutTwice();
    const keys = (await clipKeys(id)).length;
    const before = await records(id);
    await t.db.collection("episodes").deleteOne({ episode_id: id });
    const res = await t.request(at(id, 8_000));
    expect(res.status).toBe(404);
    expect((await clipKeys(id)).length).toBe(keys);
    expect(await records(id)).toBe(before);
  });
});
