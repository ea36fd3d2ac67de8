import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cbrTenMinutes, type Fixture } from "../helpers/fixtures.js";
import { BUCKETS, hasStoredIndex, startTestOrigin, type TestOrigin } from "../helpers/harness.js";
import { clipPath, expectNothingLeft, expectOneClip, leftovers } from "../helpers/leftovers.js";
import { newRawEpisode, putRaw } from "../helpers/raw-source.js";

// Source faults on the real S3 server: the episode's object missing, truncated mid-frame, or not audio,
// then repaired under the same key. The retry must succeed without a redeploy or a cold start.
let t: TestOrigin;
let cbr: Fixture;
let audio: Buffer;

const newEpisode = () => newRawEpisode(t.db, "mp3", cbr.durationMs);

beforeAll(async () => {
  [t, cbr] = await Promise.all([startTestOrigin(), cbrTenMinutes()]);
  audio = await readFile(cbr.file);
});

afterAll(() => t?.close());

describe("source object faults", () => {
  it("missing → 404 naming it; nothing left, not even a seek index; once uploaded, the retry succeeds", async () => {
    const { id, key } = await newEpisode();
    const res = await t.request(clipPath(id, 60_000));
    expect([res.status, res.detail]).toEqual([404, `Source audio not found: s3://${BUCKETS.raw}/${key}`]);
    await expectNothingLeft(t, id, 60_000);
    expect(await hasStoredIndex(t.db, id)).toBe(false);
    await putRaw(key, audio);
    const retry = await t.request(clipPath(id, 60_000));
    expect([retry.status, retry.json.cache_hit]).toEqual([200, false]);
    await expectOneClip(t, id, 60_000);
  });

  it("truncated mid-frame → 422 past its real end, a clip across it cut at the real end; once whole, retries succeed in this container and a new one", async () => {
    const { id, key } = await newEpisode();
    // 40 % of a 10-minute CBR file plus a few bytes: about 240 s of audio ending inside a frame.
    await putRaw(key, audio.subarray(0, Math.floor(audio.length * 0.4) + 333));
    const past = await t.request(clipPath(id, 300_000));
    expect(past.status).toBe(422);
    expect(past.detail).toBe(
      `The audio of episode ${id} ends before 300000 ms: it is shorter than the catalog's duration_ms`,
    );
    await expectNothingLeft(t, id, 300_000);
    const across = await t.request(clipPath(id, 235_000));
    expect(across.status).toBe(200);
    expect(across.json.clamped_to_episode_end).toBe(true);
    expect(across.json.clip_end_ms).toBeGreaterThan(235_000);
    expect(across.json.clip_end_ms).toBeLessThan(245_000);

    await putRaw(key, audio);
    const repaired = await t.request(clipPath(id, 300_000));
    expect([repaired.status, repaired.detail]).toEqual([200, "undefined"]);
    expect(repaired.json).toMatchObject({ cache_hit: false, clip_end_ms: 310_000, clamped_to_episode_end: false });
    await expectOneClip(t, id, 300_000);

    // A new container reads the index stored in the clips bucket, which must not be the truncated file's.
    const fresh = await startTestOrigin();
    try {
      await fresh.db
        .collection("episodes")
        .insertOne({ episode_id: id, audio_url: `s3://${BUCKETS.raw}/${key}`, duration_ms: cbr.durationMs });
      const other = await fresh.request(clipPath(id, 400_000));
      expect([other.status, other.detail]).toEqual([200, "undefined"]);
      expect(other.json.clip_end_ms).toBe(410_000);
    } finally {
      await fresh.close();
    }
    // The clip cut across the old end stays as it was made: whole, marked as cut at the episode's end.
    expect((await leftovers(t, id, 235_000)).objects).toHaveLength(1);
  });

  it("not audio → 422 naming it; nothing left; once real audio replaces it, the retry succeeds", async () => {
    const { id, key } = await newEpisode();
    await putRaw(key, "this is not audio\n".repeat(5000));
    const res = await t.request(clipPath(id, 60_000));
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(new RegExp(`^The source s3://${BUCKETS.raw}/${key} is not audio FFmpeg can cut`));
    await expectNothingLeft(t, id, 60_000);
    await putRaw(key, audio);
    const retry = await t.request(clipPath(id, 60_000));
    expect([retry.status, retry.json.cache_hit]).toEqual([200, false]);
    await expectOneClip(t, id, 60_000);
  });
});
