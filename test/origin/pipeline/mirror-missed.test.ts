import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIP_CACHE_CONTROL,
  CLIP_CONTENT_TYPE,
  CLIP_METADATA,
  MIRROR_HEADER,
  MIRROR_MISSED,
  ORIGIN_ACCEPT,
} from "../../../core/index.js";
import { startCountingProxy, type CountingProxy } from "../../../scripts/bench/counting-proxy.js";
import { cbrTenMinutes } from "../helpers/fixtures.js";
import {
  BUCKETS,
  seedFixtureEpisode,
  services,
  signFor,
  startTestOrigin,
  testS3,
  type TestOrigin,
} from "../helpers/harness.js";

// #15: when the Worker says its R2 mirror has no such clip, a cheap cut (frames of an indexed MP3) goes ahead
// without the store check's HEADs, and the conditional PUT finds a clip another request stored. An FFmpeg cut
// is never started unchecked. The origin's S3 is behind a counting proxy, so the HEADs are counted on the wire.
let t: TestOrigin;
let proxy: CountingProxy;
let episode: string;

beforeAll(async () => {
  proxy = await startCountingProxy(services.s3.endpoint, "/");
  const [origin, cbr] = await Promise.all([startTestOrigin({ env: { S3_ENDPOINT: proxy.url } }), cbrTenMinutes()]);
  t = origin;
  episode = await seedFixtureEpisode(t.db, cbr);
  // Builds and stores the seek index: from here on every cut of this episode is a cheap one.
  expect((await asWorker(clipPath(episode, 1_000), {})).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await proxy?.close();
});

const clipPath = (id: string, startMs: number) => `/api/v1/audio_clips/${id}?start_time_ms=${startMs}&duration_ms=5000`;
const mirrorMissed = { [MIRROR_HEADER]: MIRROR_MISSED };

async function asWorker(path: string, extra: Record<string, string> = mirrorMissed) {
  proxy.reset();
  const res = await t.request(path, { headers: { ...(await signFor(path)), accept: ORIGIN_ACCEPT, ...extra } });
  return { ...res, ops: proxy.ops() };
}

async function storedBytes(key: string): Promise<Buffer> {
  const out = await testS3.send(new GetObjectCommand({ Bucket: BUCKETS.clips, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function requestCount(id: string, startMs: number): Promise<number | undefined> {
  const doc = await t.db.collection("audio_clips").findOne({ episode_id: id, clip_start_ms: startMs });
  return doc?.request_count as number | undefined;
}

describe("the Worker's mirror missed", () => {
  it("a new clip is cut and stored without a HEAD: one object, one record, its bytes in the answer", async () => {
    const res = await asWorker(clipPath(episode, 20_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, false]);
    expect(res.ops.HEAD).toBeUndefined();
    expect(res.ops.PUT).toBe(1);
    expect(res.logged).toMatchObject({
      store_check: "deferred to the PUT",
      cut_method: "frames",
      stored: "created",
      recorded: "inserted",
      answer: "bytes",
    });
    expect(res.bytes?.equals(await storedBytes(`audio_clips/${episode}/20000-25000.mp3`))).toBe(true);
  });

  it("a clip another request stored: the PUT's 412 says so, the answer is the same bytes, the request is counted", async () => {
    const first = await asWorker(clipPath(episode, 30_000), {});
    expect(first.ops.HEAD).toBe(2); // without the header: the store check, one HEAD per container
    const again = await asWorker(clipPath(episode, 30_000));
    expect([again.status, again.json.cache_hit]).toEqual([200, false]);
    expect(again.ops.HEAD).toBeUndefined();
    expect(again.logged).toMatchObject({ stored: "existed", recorded: "existed" });
    expect(again.bytes?.equals(first.bytes!)).toBe(true);
    await expect.poll(() => requestCount(episode, 30_000), { timeout: 10_000 }).toBe(2);
  });

  it("without the header (a JSON caller) the store is checked first, and the stored clip is a hit", async () => {
    const res = await asWorker(clipPath(episode, 30_000), {});
    expect([res.status, res.json.cache_hit]).toEqual([200, true]);
    expect(res.logged.store_check).toBeUndefined();
    expect(res.ops.PUT).toBeUndefined();
  });

  it("no cheap cut (the episode has no index yet): the store is checked before FFmpeg or an index build", async () => {
    const cbr = await cbrTenMinutes();
    const fresh = await seedFixtureEpisode(t.db, cbr);
    // A clip stored earlier under its key, as an earlier request (or another origin) would have left it.
    const key = `audio_clips/${fresh}/40000-45000.mp3`;
    const earlier = (await storedBytes(`audio_clips/${episode}/20000-25000.mp3`)).subarray(0, 4096);
    await testS3.send(
      new PutObjectCommand({
        Bucket: BUCKETS.clips,
        Key: key,
        Body: earlier,
        ContentType: CLIP_CONTENT_TYPE,
        CacheControl: CLIP_CACHE_CONTROL,
        Metadata: {
          [CLIP_METADATA.startMs]: "40000",
          [CLIP_METADATA.endMs]: "45000",
          [CLIP_METADATA.clamped]: "false",
        },
      }),
    );
    const runs = t.ffmpegRuns.length;
    const res = await asWorker(clipPath(fresh, 40_000));
    expect([res.status, res.json.cache_hit, res.json.file_size_bytes]).toEqual([200, true, earlier.length]);
    expect(res.logged).toMatchObject({ store_check: "before the cut" });
    expect(res.logged.stored).toBeUndefined();
    expect(res.ops.HEAD).toBe(2);
    expect(res.ops.PUT).toBeUndefined(); // nor the index's
    expect(t.ffmpegRuns.length).toBe(runs);
  });
});
