import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { Binary } from "mongodb";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIP_CACHE_CONTROL } from "../../core/index.js";
import { createOrigin } from "../../origin/origin.js";
import { id3v2TagLength } from "../../core/mp3/index.js";
import { decodedDurationMs, expectCutFrom, probeCodec, probeDurationMs } from "./helpers/audio.js";
import { downloadFolder, type Downloads } from "./helpers/download.js";
import { cbrTenMinutes, flacTwentySeconds, vbrWithId3, type Fixture } from "./helpers/fixtures.js";
import {
  BUCKETS,
  clipKeys,
  indexDocs,
  LAMBDA,
  SECRET,
  seedEpisode,
  seedFixtureEpisode,
  services,
  signFor,
  startTestOrigin,
  tempEntries,
  testS3,
  type Answer,
  type TestOrigin,
} from "./helpers/harness.js";
import { v2Event } from "./helpers/api-gateway-event.js";

/** One MP3 frame at 44.1 kHz: 1152 samples. */
const FRAME_MS = 26.2;

let t: TestOrigin;
let cbr: Fixture;
let cbrEpisode: string;
let downloads: Downloads;

beforeAll(async () => {
  [t, cbr, downloads] = await Promise.all([
    startTestOrigin(),
    cbrTenMinutes(),
    downloadFolder("edgeclip-origin-clips-"),
  ]);
  cbrEpisode = await seedFixtureEpisode(t.db, cbr);
});

afterAll(async () => {
  await t?.close();
  await downloads?.remove();
});

const clipPath = (episode: string, startMs: number, durationMs: number) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`;

/** A 200 for exactly the range asked for (no clamp), from the store (a hit) or newly cut (a miss). */
function expectWholeClip(res: Answer, clip: { cacheHit: boolean; start: number; end: number }): void {
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({
    cache_hit: clip.cacheHit,
    clip_start_ms: clip.start,
    clip_end_ms: clip.end,
    clamped_to_episode_end: false,
  });
}

describe("a miss, then a hit (10-min CBR episode)", () => {
  const start = 300_000;
  const duration = 30_000;
  let missUrl: string;

  it("a miss indexes the episode on first use, copies the clip's frames, uploads, records and answers a pre-signed URL", async () => {
    const res = await t.request(clipPath(cbrEpisode, start, duration));

    expectWholeClip(res, { cacheHit: false, start, end: start + duration });
    expect(res.json.generation_time_ms).toBeGreaterThanOrEqual(0);
    // MP3 frames are copied in-process: no FFmpeg at all.
    expect(t.ffmpegRuns).toHaveLength(0);
    // The seek index built on this first use is stored for every later container.
    const index = await indexDocs(t.db).findOne({ _id: cbrEpisode as never });
    const indexBytes = (index?.index as Binary | undefined)?.length() ?? 0;
    expect(indexBytes).toBeGreaterThan(1000);
    expect(indexBytes).toBeLessThan(64 * 1024);
    const key = `audio_clips/${cbrEpisode}/${start}-${start + duration}.mp3`;
    expect(new URL(res.json.clip_url).pathname).toBe(`/${BUCKETS.clips}/${key}`);

    const head = await testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.clips, Key: key }));
    expect(head).toMatchObject({ ContentType: "audio/mpeg", CacheControl: CLIP_CACHE_CONTROL });
    expect(head.ContentLength).toBe(res.json.file_size_bytes);
    expect(head.Metadata).toEqual({
      "clip-start-ms": `${start}`,
      "clip-end-ms": `${start + duration}`,
      clamped: "false",
    });

    const records = await t.db.collection("audio_clips").find({ episode_id: cbrEpisode }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      clip_start_ms: start,
      clip_end_ms: start + duration,
      s3_key: key,
      file_size_bytes: res.json.file_size_bytes,
      request_count: 1,
    });
    expect(records[0]?.generated_at).toBeInstanceOf(Date);
    expect(records[0]?.last_requested_at).toEqual(records[0]?.generated_at);

    // Temp files are gone, and the request's one log line holds no secret or signed URL.
    expect(await tempEntries(t.tmpRoot)).toEqual([]);
    const line = t.logs.at(-1) ?? {};
    expect(line).toMatchObject({ outcome: "generated", status: 200, cut_method: "frames", seek_index: "built" });
    expect(JSON.stringify(t.logs)).not.toMatch(new RegExp(`${SECRET}|X-Amz-Signature|x-edgeclip-signature`, "i"));
    // Building the index read the file once; it is never read whole again (see the next miss below).
    console.log(
      `[figures] first 30 s miss from a 10-min CBR MP3, index built: ${res.json.generation_time_ms} ms, ` +
        `source bytes read ${String(line.source_bytes_read)}, clip ${res.json.file_size_bytes} bytes`,
    );
    missUrl = res.json.clip_url;
  });

  it("the pre-signed URL returns the clip: its duration is within one frame and it starts where asked", async () => {
    const file = await downloads.download(missUrl, "cbr-30s.mp3");
    expect(await probeCodec(file)).toBe("mp3");
    // The Xing/Info header that the temp-file output made possible (it carries the frame count).
    const bytes = await readFile(file);
    const tag = id3v2TagLength(bytes) ?? 0;
    const frame = bytes.subarray(tag, tag + 64).toString("latin1");
    expect(frame).toMatch(/Info|Xing/);
    await expectCutFrom(cbr.file, file, start, duration, { lengthMs: FRAME_MS, startMs: FRAME_MS });
  });

  it("the same URL with one signature character changed is refused by the S3 server", async () => {
    const url = new URL(missUrl);
    const signature = url.searchParams.get("X-Amz-Signature") ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    url.searchParams.set("X-Amz-Signature", (signature[0] === "0" ? "1" : "0") + signature.slice(1));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("SignatureDoesNotMatch");
  });

  it("a second request is a hit answered from the object's metadata, with no FFmpeg run and no wait for the catalog; it counts the request", async () => {
    const before = await t.db.collection("audio_clips").findOne({ episode_id: cbrEpisode });
    const res = await t.request(clipPath(cbrEpisode, start, duration));
    expectWholeClip(res, { cacheHit: true, start, end: start + duration });
    expect(t.ffmpegRuns).toHaveLength(0);
    const steps = Object.keys((t.logs.at(-1)?.steps ?? {}) as object);
    // A hit checks the store, counts itself and answers; no step that makes a clip runs. The catalog read
    // started beside the store check (prefetch-episode) is dropped unread.
    expect(steps.slice(-3)).toEqual(["check-store", "count-request", "presign"]);
    expect(steps).not.toContain("lookup-episode");
    // The answer does not wait for the count (#15): it lands just after.
    expect(t.logs.at(-1)).toMatchObject({ level: "info", outcome: "hit", request_count: "pending" });
    const record = () => t.db.collection("audio_clips").findOne({ episode_id: cbrEpisode });
    await expect.poll(async () => (await record())?.request_count).toBe(2);
    const after = await record();
    expect((after?.last_requested_at as Date).getTime()).toBeGreaterThan((before?.last_requested_at as Date).getTime());
    console.log(`[figures] 30 s hit: ${res.json.generation_time_ms} ms`);
  });

  it("another spelling of the same clip (end_time_ms, leading zeros, extra parameters) is the same hit", async () => {
    const res = await t.request(
      `/api/v1/audio_clips/${cbrEpisode}?utm_source=x&end_time_ms=${start + duration}&start_time_ms=00${start}`,
    );
    expect(res.status).toBe(200);
    expect(res.json.cache_hit).toBe(true);
    expect(await clipKeys(cbrEpisode)).toHaveLength(1);
    const count = async () => (await t.db.collection("audio_clips").findOne({ episode_id: cbrEpisode }))?.request_count;
    await expect.poll(count).toBe(3);
  });
});

describe("later misses of an indexed episode", () => {
  it("read only the clip's frames: source bytes ≤ clip bytes + 64 KiB, index read included, in a fresh container", async () => {
    const logs: Record<string, unknown>[] = [];
    // A second container: empty memory, so it reads the stored index from MongoDB before the frames.
    const fresh = await createOrigin({
      config: t.config,
      s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
      log: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    });
    try {
      const pathAndQuery = clipPath(cbrEpisode, 450_000, 30_000);
      const res = await fresh.handle(v2Event(pathAndQuery, await signFor(pathAndQuery)), LAMBDA);
      expect(res.statusCode).toBe(200);
      const line = logs.at(-1) ?? {};
      expect(line).toMatchObject({ cut_method: "frames", seek_index: "stored", source_requests: 2 });
      const clipBytes = Number(line.clip_bytes);
      expect(clipBytes).toBeGreaterThan(400_000);
      expect(Number(line.source_bytes_read)).toBeLessThanOrEqual(clipBytes + 64 * 1024);
      console.log(
        `[figures] 30 s miss, stored index: source bytes ${String(line.source_bytes_read)} for a ${clipBytes}-byte clip`,
      );
    } finally {
      await fresh.close();
    }
  });

  it("precise=1 re-encodes those frames: start and length within 1 ms", async () => {
    const start = 123_457;
    const duration = 7_001;
    const res = await t.request(`${clipPath(cbrEpisode, start, duration)}&precise=1`);
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames+ffmpeg" });
    expect(new URL(res.json.clip_url).pathname).toMatch(/\.precise\.mp3$/);
    const file = await downloads.download(res.json.clip_url, "precise.mp3");
    await expectCutFrom(cbr.file, file, start, duration, { lengthMs: 1, startMs: 1 });
  });
});

describe("episode bounds", () => {
  it("an end past the episode's end is clamped to it, and the answer says so", async () => {
    const start = cbr.durationMs - 5_000;
    const res = await t.request(clipPath(cbrEpisode, start, 30_000));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ cache_hit: false, clamped_to_episode_end: true });
    // The end is the audio's real last sample, which the seek index knows exactly; the catalog's ffprobe
    // duration also counts the encoder's delay and padding, so it is a little longer.
    const end = res.json.clip_end_ms;
    expect(end).toBeLessThanOrEqual(cbr.durationMs);
    expect(end).toBeGreaterThan(cbr.durationMs - 2 * FRAME_MS);
    const file = await downloads.download(res.json.clip_url, "clamped.mp3");
    expect(Math.abs((await decodedDurationMs(file)) - (end - start))).toBeLessThanOrEqual(1);
    // The key is the requested range; a hit reports the clamp from the object's metadata.
    expect(await clipKeys(cbrEpisode)).toContain(`audio_clips/${cbrEpisode}/${start}-${start + 30_000}.mp3`);
    const hit = await t.request(clipPath(cbrEpisode, start, 30_000));
    expect(hit.json).toMatchObject({ cache_hit: true, clip_end_ms: end, clamped_to_episode_end: true });
    // The record holds the clamped end, which the hit reads from the object's metadata to count it.
    const record = () => t.db.collection("audio_clips").findOne({ episode_id: cbrEpisode, clip_start_ms: start });
    await expect.poll(async () => (await record())?.request_count).toBe(2);
    expect(await record()).toMatchObject({ clip_end_ms: end });
  });

  it("an unknown episode is a 404 and writes nothing", async () => {
    const res = await t.request(clipPath("no-such-episode", 0, 10_000));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "episode_not_found", message: "Episode no-such-episode not found" } });
    expect(await clipKeys("no-such-episode")).toEqual([]);
  });

  it("a start at or past the episode's end is a 416", async () => {
    const res = await t.request(clipPath(cbrEpisode, cbr.durationMs, 10_000));
    expect(res.status).toBe(416);
    expect(res.body).toMatchObject({ error: { code: "start_beyond_end", param: "start_time_ms" } });
  });
});

describe("other sources", () => {
  it("a VBR MP3 behind a large ID3v2 tag: exact seek, right duration and start", async () => {
    const vbr = await vbrWithId3();
    const episode = await seedFixtureEpisode(t.db, vbr);
    const res = await t.request(clipPath(episode, 100_000, 20_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames", seek_index: "built" });
    const file = await downloads.download(res.json.clip_url, "vbr-20s.mp3");
    await expectCutFrom(vbr.file, file, 100_000, 20_000, { lengthMs: FRAME_MS, startMs: FRAME_MS });
  });

  it("a source neither index reads (FLAC) is re-encoded to MP3", async () => {
    const flac = await flacTwentySeconds();
    const episode = await seedFixtureEpisode(t.db, flac);
    const res = await t.request(clipPath(episode, 5_000, 10_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "ffmpeg", ffmpeg_because: "not MPEG audio" });
    expect(res.json.content_type).toBe("audio/mpeg");
    expect(t.ffmpegRuns.at(-1)).toContain("libmp3lame");
    const file = await downloads.download(res.json.clip_url, "from-flac.mp3");
    expect(await probeCodec(file)).toBe("mp3");
    expect(Math.abs((await probeDurationMs(file)) - 10_000)).toBeLessThanOrEqual(2 * FRAME_MS);
  });

  it("a source that is not audio is a 422 with a clear message, and nothing is written", async () => {
    const episode = await seedEpisode(t.db, {
      audioUrl: `s3://${BUCKETS.raw}/fixtures/not-audio.txt`,
      durationMs: 60_000,
    });
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    await testS3.send(
      new PutObjectCommand({ Bucket: BUCKETS.raw, Key: "fixtures/not-audio.txt", Body: "hello ".repeat(2000) }),
    );
    const res = await t.request(clipPath(episode, 1_000, 5_000));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: "unprocessable_source" } });
    expect(res.detail).toContain(`s3://${BUCKETS.raw}/fixtures/not-audio.txt`);
    expect(await clipKeys(episode)).toEqual([]);
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode })).toBe(0);
    expect(await tempEntries(t.tmpRoot)).toEqual([]);
  });

  it("a source object that does not exist is a 404 naming it", async () => {
    const episode = await seedEpisode(t.db, {
      audioUrl: `s3://${BUCKETS.raw}/fixtures/missing.mp3`,
      durationMs: 60_000,
    });
    const res = await t.request(clipPath(episode, 1_000, 5_000));
    expect(res.status).toBe(404);
    // The client learns the audio is missing; where it was looked for is the operator's (the log line).
    expect(res.body).toEqual({ error: { code: "not_found", message: "The episode's audio was not found in storage" } });
    expect(res.detail).toBe(`Source audio not found: s3://${BUCKETS.raw}/fixtures/missing.mp3`);
  });
});

describe("races", () => {
  it("10 concurrent identical misses all succeed with one object and one record", async () => {
    const start = 120_000;
    const results = await Promise.all(Array.from({ length: 10 }, () => t.request(clipPath(cbrEpisode, start, 15_000))));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const sizes = new Set(results.map((r) => r.json.file_size_bytes));
    expect(sizes.size).toBe(1);
    expect(results.every((r) => r.json.clip_end_ms === start + 15_000)).toBe(true);
    const key = `audio_clips/${cbrEpisode}/${start}-${start + 15_000}.mp3`;
    expect((await clipKeys(cbrEpisode)).filter((k) => k === key)).toHaveLength(1);
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: cbrEpisode, clip_start_ms: start })).toBe(
      1,
    );
    // Every answer counts once: the one that inserted the record starts it at 1, each other one adds its own.
    const lines = t.logs.filter((l) => l.start_ms === start && l.status === 200).slice(-10);
    expect(lines.filter((l) => l.recorded === "inserted")).toHaveLength(1);
    for (const l of lines.filter((l) => l.recorded !== "inserted"))
      expect(["counted", "pending"]).toContain(l.request_count);
    const count = async () =>
      (await t.db.collection("audio_clips").findOne({ episode_id: cbrEpisode, clip_start_ms: start }))?.request_count;
    if (services.external.mongodb) {
      // $inc is atomic on one MongoDB document; a count that took longer than the answer waits lands just after.
      await expect.poll(count).toBe(10);
    } else {
      // FerretDB 1.x (the local stand-in) applies concurrent $inc to one document as read-modify-write and keeps
      // only some of them (10 concurrent updateOne calls, all "modified", can leave +1).
      expect(await count()).toBeGreaterThanOrEqual(1);
    }
    expect(await tempEntries(t.tmpRoot)).toEqual([]);
  });
});

describe("request counts", () => {
  it("a count MongoDB refuses is a warn line of its own under the hit's id, never an error for the listener", async () => {
    const start = 60_000;
    expect((await t.request(clipPath(cbrEpisode, start, 5_000))).status).toBe(200);
    // A count that is not a number makes $inc fail at once on any server.
    await t.db
      .collection("audio_clips")
      .updateOne(
        { episode_id: cbrEpisode, clip_start_ms: start },
        { $set: { request_count: "many" } },
        { bypassDocumentValidation: true },
      );
    const res = await t.request(clipPath(cbrEpisode, start, 5_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, true]);
    expect(res.logged).toMatchObject({ level: "info", status: 200, outcome: "hit", request_count: "pending" });
    const late = () => t.logs.find((l) => l.msg === "request count" && l.request_id === res.logged.request_id);
    await expect.poll(late).toMatchObject({ level: "warn", request_count: "failed" });
    expect(String(late()?.warn)).toMatch(/^request count not recorded: MongoDB request count failed \(host /);
  });
});

describe("deadline", () => {
  it("with no time left before the Lambda deadline the answer is a 504 'Lambda timeout', and nothing is written", async () => {
    const lambda = { getRemainingTimeInMillis: () => t.config.ffmpegTimeoutMarginMs };
    const res = await t.request(clipPath(cbrEpisode, 200_000, 10_000), { lambda });
    expect(res.status).toBe(504);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.body).toMatchObject({ error: { code: "timeout" } });
    expect(res.detail).toMatch(/^Lambda timeout: /);
    expect((await clipKeys(cbrEpisode)).filter((k) => k.includes("/200000-"))).toEqual([]);
  });
});
