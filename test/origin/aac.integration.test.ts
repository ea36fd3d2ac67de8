/**
 * AAC sources through the real origin (FerretDB, versitygw, FFmpeg only as the judge): an M4A whose moov is at
 * the end or at the start, and AAC under an `.mp3` name, are cut by copying packets into `.m4a` clips.
 */
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIP_CACHE_CONTROL } from "../../core/index.js";
import { alignClip, decodedDurationMs, probeCodec, probeDurationMs } from "./helpers/audio.js";
import {
  aacNamedMp3,
  adtsTwentySeconds,
  m4aFaststart,
  m4aHourFaststart,
  m4aHourMoovAtEnd,
  m4aMoovAtEnd,
  type Fixture,
} from "./helpers/fixtures.js";
import {
  BUCKETS,
  clipKeys,
  indexDocs,
  seedEpisode,
  startTestOrigin,
  testS3,
  uploadFixture,
  type TestOrigin,
} from "./helpers/harness.js";

let t: TestOrigin;
let work: string;

beforeAll(async () => {
  [t, work] = await Promise.all([startTestOrigin(), mkdtemp(path.join(os.tmpdir(), "edgeclip-aac-clips-"))]);
});

afterAll(async () => {
  await t?.close();
  await rm(work, { recursive: true, force: true });
});

async function download(url: string, name: string): Promise<{ file: string; type: string | null }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const file = path.join(work, name);
  await writeFile(file, new Uint8Array(await res.arrayBuffer()));
  return { file, type: res.headers.get("content-type") };
}

const clipPath = (episode: string, startMs: number, durationMs: number) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`;

/** A clip cut by copying: an `.m4a` key, `audio/mp4`, AAC, the requested length and start. */
async function expectM4aClip(
  fixture: Fixture,
  episode: string,
  startMs: number,
  durationMs: number,
  /** The index is built by reading every frame header (ADTS), as for MP3: the budget applies to later cuts. */
  scanned = false,
): Promise<void> {
  const runs = t.ffmpegRuns.length;
  const res = await t.request(clipPath(episode, startMs, durationMs));
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ cache_hit: false, clip_start_ms: startMs, clip_end_ms: startMs + durationMs });
  expect(res.json.content_type).toBe("audio/mp4");
  expect(t.logs.at(-1)).toMatchObject({ cut_method: "packets", seek_index: "built", outcome: "generated" });
  expect(t.ffmpegRuns).toHaveLength(runs); // copied in-process
  const key = `audio_clips/${episode}/${startMs}-${startMs + durationMs}.m4a`;
  expect(await clipKeys(episode)).toEqual([key]);
  const head = await testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.clips, Key: key }));
  expect(head).toMatchObject({ ContentType: "audio/mp4", CacheControl: CLIP_CACHE_CONTROL });
  const records = await t.db.collection("audio_clips").find({ episode_id: episode }).toArray();
  expect(records[0]).toMatchObject({ s3_key: key, file_size_bytes: res.json.file_size_bytes });

  const { file, type } = await download(res.json.clip_url, `${episode}.m4a`);
  expect(type).toBe("audio/mp4");
  expect(await probeCodec(file)).toBe("aac");
  expect(Math.abs((await probeDurationMs(file)) - durationMs)).toBeLessThanOrEqual(1);
  const aligned = await alignClip(fixture.file, file, startMs);
  expect(aligned.correlation).toBeGreaterThan(0.99);
  expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(1);

  // Index and clip reads together stay within the clip plus 64 KiB.
  const line = t.logs.at(-1) ?? {};
  if (!scanned) expect(Number(line.source_bytes_read)).toBeLessThanOrEqual(res.json.file_size_bytes + 64 * 1024);
  console.log(
    `[figures] ${fixture.name}: ${durationMs / 1000} s M4A clip, index built: ${res.json.generation_time_ms} ms, ` +
      `source bytes read ${String(line.source_bytes_read)} in ${String(line.source_requests)} requests, ` +
      `clip ${res.json.file_size_bytes} bytes`,
  );

  const hit = await t.request(clipPath(episode, startMs, durationMs));
  expect(hit.json).toMatchObject({
    cache_hit: true,
    content_type: "audio/mp4",
    file_size_bytes: res.json.file_size_bytes,
  });
  expect(new URL(hit.json.clip_url).pathname).toBe(`/${BUCKETS.clips}/${key}`);
}

describe("AAC sources are cut by copying packets into M4A clips", () => {
  it("an M4A with its moov at the end", async () => {
    const m4a = await m4aMoovAtEnd();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(m4a), durationMs: m4a.durationMs });
    await expectM4aClip(m4a, episode, 61_234, 30_000);
    // The head and its chunks of packet sizes, stored for every later container.
    expect(await indexDocs(t.db).countDocuments({ episode })).toBeGreaterThan(1);
  });

  it.each([
    ["moov at the end", m4aHourMoovAtEnd],
    ["faststart", m4aHourFaststart],
  ])(
    "a 60-minute M4A (%s): a clip at 45 min is exact, and another container's cut reads the clip plus < 64 KiB",
    async (_layout, fixture) => {
      const m4a = await fixture();
      const audioUrl = await uploadFixture(m4a);
      const episode = await seedEpisode(t.db, { audioUrl, durationMs: m4a.durationMs });
      // The first cut reads the whole moov (~600 KB for an hour) to build the index: the budget is for later cuts.
      await expectM4aClip(m4a, episode, 45 * 60_000 + 1_234, 30_000, true);
      const other = await startTestOrigin({ sameDatabaseAs: t });
      try {
        const res = await other.request(clipPath(episode, 12 * 60_000, 30_000));
        expect(res.status).toBe(200);
        const line = other.logs.at(-1) ?? {};
        expect(line).toMatchObject({ cut_method: "packets" });
        expect(Number(line.source_bytes_read)).toBeLessThanOrEqual(res.json.file_size_bytes + 64 * 1024);
        // The window of sizes and the audio were read side by side (#15), the audio from the checkpoints' bound:
        // the clip is still exactly the requested samples.
        const { file } = await download(res.json.clip_url, `${episode}-other.m4a`);
        const aligned = await alignClip(m4a.file, file, 12 * 60_000);
        expect(aligned.correlation).toBeGreaterThan(0.99);
        expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(1);
      } finally {
        await other.close();
      }
    },
    // Generating an hour of AAC takes FFmpeg about a minute the first time (then it is cached in .cache).
    300_000,
  );

  it("another container cuts with the stored index: index and clip reads stay within the clip plus 64 KiB", async () => {
    const m4a = await m4aMoovAtEnd();
    const audioUrl = await uploadFixture(m4a);
    const episode = await seedEpisode(t.db, { audioUrl, durationMs: m4a.durationMs });
    expect((await t.request(clipPath(episode, 10_000, 5_000))).status).toBe(200);
    const other = await startTestOrigin({ sameDatabaseAs: t });
    try {
      const res = await other.request(clipPath(episode, 120_500, 30_000));
      expect(res.status).toBe(200);
      const line = other.logs.at(-1) ?? {};
      expect(line).toMatchObject({ cut_method: "packets" });
      // Read from the store in this request, never built: by the cut, or already by speculate-cut (#15), which
      // loads whatever index is stored to see whether it is an MP3 one it may start cutting early.
      expect(["stored", "memory"]).toContain(line.seek_index);
      expect(Number(line.source_bytes_read)).toBeLessThanOrEqual(res.json.file_size_bytes + 64 * 1024);
      console.log(
        `[figures] 30 s M4A clip of a 3-min episode, stored index: source+index bytes read ` +
          `${String(line.source_bytes_read)} in ${String(line.source_requests)} requests, clip ${res.json.file_size_bytes} bytes`,
      );
    } finally {
      await other.close();
    }
  });

  it("an M4A re-uploaded under the same key is indexed again, never cut with the old index", async () => {
    const [atEnd, faststart] = await Promise.all([m4aMoovAtEnd(), m4aFaststart()]);
    const key = `fixtures/replaced-${randomUUID()}.m4a`;
    const put = async (file: string) =>
      testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: await readFile(file) }));
    await put(atEnd.file);
    const episode = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: atEnd.durationMs });
    expect((await t.request(clipPath(episode, 1_000, 2_000))).status).toBe(200);
    // Same audio, other layout: every packet offset moves by the moov's size.
    await put(faststart.file);
    const res = await t.request(clipPath(episode, 90_000, 4_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "packets", seek_index: "built" });
    const { file } = await download(res.json.clip_url, "replaced.m4a");
    const aligned = await alignClip(faststart.file, file, 90_000);
    expect(aligned.correlation).toBeGreaterThan(0.99);
    expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(1);
  });

  it("an M4A uploaded without its moov yet → 422; once whole, clips are copied from it, not re-encoded", async () => {
    const m4a = await m4aMoovAtEnd();
    const whole = await readFile(m4a.file);
    const key = `fixtures/truncated-${randomUUID()}.m4a`;
    const put = (body: Uint8Array) => testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: body }));
    await put(whole.subarray(0, Math.floor(whole.length * 0.7)));
    const episode = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: m4a.durationMs });
    const refused = await t.request(clipPath(episode, 30_000, 5_000));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: "unprocessable_source" } });
    expect(await clipKeys(episode)).toEqual([]);
    await put(whole);
    const res = await t.request(clipPath(episode, 30_000, 5_000));
    expect(res.status).toBe(200);
    expect(res.json.content_type).toBe("audio/mp4");
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "packets", seek_index: "built" });
  });

  it("an M4A with faststart", async () => {
    const m4a = await m4aFaststart();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(m4a), durationMs: m4a.durationMs });
    await expectM4aClip(m4a, episode, 100_007, 12_345);
  });

  it("AAC in a file named .mp3 is cut as what it is", async () => {
    const named = await aacNamedMp3();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(named), durationMs: named.durationMs });
    await expectM4aClip(named, episode, 20_000, 10_000);
  });

  it("format=mp3 re-encodes the same samples to MP3 under the MP3 key, beside the M4A clip", async () => {
    const m4a = await m4aFaststart();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(m4a), durationMs: m4a.durationMs });
    const runs = t.ffmpegRuns.length;
    const res = await t.request(`${clipPath(episode, 45_678, 8_000)}&format=mp3`);
    expect(res.status).toBe(200);
    expect(res.json.content_type).toBe("audio/mpeg");
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "packets+ffmpeg" });
    expect(t.ffmpegRuns.length - runs).toBe(1);
    expect(await clipKeys(episode)).toEqual([`audio_clips/${episode}/45678-53678.as-mp3.mp3`]);
    const { file, type } = await download(res.json.clip_url, "format-mp3.mp3");
    expect(type).toBe("audio/mpeg");
    expect(await probeCodec(file)).toBe("mp3");
    expect(Math.abs((await decodedDurationMs(file)) - 8_000)).toBeLessThanOrEqual(2);
    const aligned = await alignClip(m4a.file, file, 45_678);
    expect(aligned.correlation).toBeGreaterThan(0.9);
    expect(Math.abs(aligned.offsetMs)).toBeLessThanOrEqual(2);

    // Without format, the same range is the M4A clip, under its own key.
    expect((await t.request(clipPath(episode, 45_678, 8_000))).json.content_type).toBe("audio/mp4");
    expect((await clipKeys(episode)).sort()).toEqual([
      `audio_clips/${episode}/45678-53678.as-mp3.mp3`,
      `audio_clips/${episode}/45678-53678.m4a`,
    ]);
  });

  it("ADTS AAC (.aac), indexed from its frame headers", async () => {
    const adts = await adtsTwentySeconds();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(adts), durationMs: adts.durationMs });
    await expectM4aClip(adts, episode, 5_555, 6_000, true);
  });

  it("a clip past the episode's end is cut at the end and says so", async () => {
    const m4a = await m4aMoovAtEnd();
    const episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(m4a), durationMs: m4a.durationMs });
    const start = m4a.durationMs - 4_000;
    const res = await t.request(clipPath(episode, start, 10_000));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ clamped_to_episode_end: true, content_type: "audio/mp4" });
    expect(res.json.clip_end_ms).toBeLessThanOrEqual(m4a.durationMs);
    const { file } = await download(res.json.clip_url, "clamped.m4a");
    expect(Math.abs((await probeDurationMs(file)) - (res.json.clip_end_ms - start))).toBeLessThanOrEqual(1);
  });
});
