import { createHash } from "node:crypto";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIP_CONTENT_TYPE, INLINE_CLIP_MAX_BYTES, ORIGIN_ACCEPT } from "../../../core/index.js";
import { cbrTenMinutes } from "../helpers/fixtures.js";
import {
  BUCKETS,
  seedEpisode,
  signFor,
  startTestOrigin,
  testS3,
  uploadFixture,
  type TestOrigin,
} from "../helpers/harness.js";

// #15: a fresh clip's bytes travel back in the origin's answer when the Worker asks for them and they fit the
// Lambda response limit, so the edge does not fetch from S3 what the origin had in memory.
let t: TestOrigin;
let episode: string;

beforeAll(async () => {
  const [origin, cbr] = await Promise.all([startTestOrigin(), cbrTenMinutes()]);
  t = origin;
  episode = await seedEpisode(t.db, { audioUrl: await uploadFixture(cbr), durationMs: cbr.durationMs });
}, 120_000);

afterAll(() => t?.close());

const clipPath = (startMs: number, durationMs: number) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`;

async function asWorker(path: string, accept = ORIGIN_ACCEPT) {
  return t.request(path, { headers: { ...(await signFor(path)), accept } });
}

async function stored(startMs: number, durationMs: number): Promise<Buffer> {
  const key = `audio_clips/${episode}/${startMs}-${startMs + durationMs}.mp3`;
  const out = await testS3.send(new GetObjectCommand({ Bucket: BUCKETS.clips, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe("the Worker asks for bytes (ORIGIN_ACCEPT)", () => {
  it("a miss answers the clip's bytes with its facts; they are the stored object's; no pre-signed URL is made", async () => {
    const res = await asWorker(clipPath(10_000, 30_000));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(CLIP_CONTENT_TYPE);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json).toMatchObject({ cache_hit: false, clip_start_ms: 10_000, clip_end_ms: 40_000 });
    expect(res.json).not.toHaveProperty("clip_url");
    expect(res.bytes?.length).toBe(res.json.file_size_bytes);
    expect(res.bytes?.equals(await stored(10_000, 30_000))).toBe(true);
    // The SHA-256 of those bytes comes along: the Worker's ETag and R2's checksum, without hashing them again.
    expect((res.json as { sha256?: string }).sha256).toBe(createHash("sha256").update(res.bytes!).digest("hex"));
    expect(res.logged).toMatchObject({ answer: "bytes", stored: "created", recorded: "inserted" });
    const steps = Object.keys(res.logged.steps as object);
    expect(steps).toContain("inline-bytes");
    expect(steps).not.toContain("presign");
  });

  it("a hit (nothing in memory) answers the JSON with a pre-signed URL", async () => {
    const res = await asWorker(clipPath(10_000, 30_000));
    expect(res.bytes).toBeUndefined();
    expect(res.json).toMatchObject({ cache_hit: true, clip_start_ms: 10_000 });
    expect(res.json.clip_url).toMatch(/^http/);
  });

  it("a clip larger than the response limit (5 min at 128 kb/s) keeps the pre-signed URL", async () => {
    const res = await asWorker(clipPath(0, 300_000));
    expect(res.status).toBe(200);
    expect(res.json.file_size_bytes).toBeGreaterThan(INLINE_CLIP_MAX_BYTES);
    expect(res.bytes).toBeUndefined();
    expect(res.json).toMatchObject({ cache_hit: false });
    expect(res.json.clip_url).toMatch(/^http/);
    expect(res.logged).toMatchObject({ answer: "url" });
  });

  it("two identical misses at once both answer the same bytes; the one whose PUT found the object uses its own cut", async () => {
    const [a, b] = await Promise.all([asWorker(clipPath(50_000, 5_000)), asWorker(clipPath(50_000, 5_000))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.bytes?.equals(b.bytes!)).toBe(true);
    expect(a.bytes?.equals(await stored(50_000, 5_000))).toBe(true);
    // With the conditional PUT one of them may find the other's object (412) or both may be "created"
    // (a store without If-None-Match); either way nobody answered "vanished" or read it back.
    for (const r of [a, b]) expect(["created", "existed"]).toContain(r.logged.stored);
  });
});

describe("any other caller (the JSON contract)", () => {
  it("a miss without the audio type in Accept answers the JSON with a pre-signed URL, as before", async () => {
    const res = await asWorker(clipPath(70_000, 10_000), "application/json");
    expect(res.bytes).toBeUndefined();
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({ cache_hit: false, clip_start_ms: 70_000 });
    const fetched = Buffer.from(await (await fetch(res.json.clip_url)).arrayBuffer());
    expect(fetched.equals(await stored(70_000, 10_000))).toBe(true);
  });
});
