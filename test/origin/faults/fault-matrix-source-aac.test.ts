import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { m4aFaststart, m4aMoovAtEnd, type Fixture } from "../helpers/fixtures.js";
import { BUCKETS, hasStoredIndex, startTestOrigin, type TestOrigin } from "../helpers/harness.js";
import { clipPath, expectNothingLeft, expectOneClip, leftovers } from "../helpers/leftovers.js";
import { newRawEpisode, putRaw } from "../helpers/raw-source.js";

// The source fault matrix (fault-matrix-source.test.ts) for AAC episodes: the M4A missing, cut short before
// its moov, cut short after it, or not audio at all, then repaired under the same key. The retry must be a
// copied `.m4a` clip, never one cut from what was known about the broken upload.
let t: TestOrigin;
let atEnd: Fixture;
let faststart: Fixture;
let audio: { atEnd: Buffer; faststart: Buffer };

const newEpisode = () => newRawEpisode(t.db, "m4a", atEnd.durationMs);

/** The repaired episode is cut by copying packets into an `.m4a`, from an index of the whole file. */
async function expectCopiedRetry(id: string, startMs: number): Promise<void> {
  const retry = await t.request(clipPath(id, startMs));
  expect([retry.status, retry.detail]).toEqual([200, "undefined"]);
  expect(retry.json).toMatchObject({ cache_hit: false, content_type: "audio/mp4", clip_end_ms: startMs + 10_000 });
  expect(t.logs.at(-1)).toMatchObject({ cut_method: "packets", seek_index: "built", outcome: "generated" });
  await expectOneClip(t, id, startMs);
  expect((await leftovers(t, id, startMs)).objects[0]).toMatch(/\.m4a$/);
}

beforeAll(async () => {
  [t, atEnd, faststart] = await Promise.all([startTestOrigin(), m4aMoovAtEnd(), m4aFaststart()]);
  audio = { atEnd: await readFile(atEnd.file), faststart: await readFile(faststart.file) };
});

afterAll(() => t?.close());

describe("AAC source object faults", () => {
  it("missing → 404 naming it; nothing left, not even an index; once uploaded, the retry is copied", async () => {
    const { id, key } = await newEpisode();
    const res = await t.request(clipPath(id, 60_000));
    expect([res.status, res.detail]).toEqual([404, `Source audio not found: s3://${BUCKETS.raw}/${key}`]);
    await expectNothingLeft(t, id, 60_000);
    expect(await hasStoredIndex(t.db, id)).toBe(false);
    await putRaw(key, audio.atEnd);
    await expectCopiedRetry(id, 60_000);
  });

  it("cut short before its moov (moov at the end) → 422; nothing left, no index; once whole, the retry is copied", async () => {
    const { id, key } = await newEpisode();
    await putRaw(key, audio.atEnd.subarray(0, Math.floor(audio.atEnd.length * 0.6)));
    const res = await t.request(clipPath(id, 30_000));
    // No moov, so no index: FFmpeg is asked and finds none either.
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(new RegExp(`^The source s3://${BUCKETS.raw}/${key} is not audio FFmpeg can cut`));
    expect(res.detail).toContain("moov atom not found");
    await expectNothingLeft(t, id, 30_000);
    expect(await hasStoredIndex(t.db, id)).toBe(false);
    await putRaw(key, audio.atEnd);
    await expectCopiedRetry(id, 30_000);
  });

  it("cut short after its moov (faststart) → re-encoded by FFmpeg up to the real end, 422 past it; once whole, the retry is copied", async () => {
    const { id, key } = await newEpisode();
    await putRaw(key, audio.faststart.subarray(0, Math.floor(audio.faststart.length * 0.6) + 333));
    // The moov promises packets the file does not hold: the index refuses it and FFmpeg decodes what is there.
    const early = await t.request(clipPath(id, 20_000));
    expect([early.status, early.json.content_type]).toEqual([200, "audio/mpeg"]);
    expect(t.logs.at(-1)).toMatchObject({
      cut_method: "ffmpeg",
      ffmpeg_because: "AAC index refused: the sample table points past the end of the file",
    });
    expect(await hasStoredIndex(t.db, id)).toBe(false);
    const late = await t.request(clipPath(id, 150_000));
    expect(late.status).toBe(422);
    expect(late.detail).toBe(
      `FFmpeg produced 0 ms of audio for a 10000 ms clip from s3://${BUCKETS.raw}/${key} at 150000 ms: ` +
        "the audio is shorter than the catalog's duration_ms",
    );
    await expectNothingLeft(t, id, 150_000);
    await putRaw(key, audio.faststart);
    await expectCopiedRetry(id, 150_000);
    // The clip re-encoded from the short upload stays as it was made (whole audio, an MP3), as for MP3 sources.
    const again = await t.request(clipPath(id, 20_000));
    expect(again.json).toMatchObject({ cache_hit: true, content_type: "audio/mpeg" });
    expect((await leftovers(t, id, 20_000)).objects).toEqual([`audio_clips/${id}/20000-30000.mp3`]);
  });

  it("re-uploaded cut short under the same key after it was indexed → 422, never a clip from the old index; once replaced, indexed again and copied", async () => {
    const { id, key } = await newEpisode();
    await putRaw(key, audio.atEnd);
    await expectCopiedRetry(id, 5_000);
    await putRaw(key, audio.atEnd.subarray(0, Math.floor(audio.atEnd.length * 0.6)));
    // The index in memory still describes the whole file: its ranged read is refused (If-Match), the episode
    // is indexed again, and the short upload has no moov.
    const res = await t.request(clipPath(id, 30_000));
    expect(res.status).toBe(422);
    expect(res.detail).toContain("moov atom not found");
    await expectNothingLeft(t, id, 30_000);
    // Other bytes (the same audio, faststart), so another ETag: the first upload's stored index must not serve.
    // The first upload's own bytes again would have its ETag, and its stored index would rightly be used.
    await putRaw(key, audio.faststart);
    await expectCopiedRetry(id, 30_000);
  });

  it("not audio under an .m4a name → 422 naming it; nothing left; once a real M4A replaces it, the retry is copied", async () => {
    const { id, key } = await newEpisode();
    await putRaw(key, "this is not audio\n".repeat(5000));
    const res = await t.request(clipPath(id, 60_000));
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(new RegExp(`^The source s3://${BUCKETS.raw}/${key} is not audio FFmpeg can cut`));
    await expectNothingLeft(t, id, 60_000);
    await putRaw(key, audio.faststart);
    await expectCopiedRetry(id, 60_000);
  });
});
