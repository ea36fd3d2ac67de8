import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { id3v2TagLength, readId3Fields, readXing } from "../../../core/mp3/index.js";
import { TXXX } from "../../../origin/label/clip-labeler.js";
import { vbrWithId3 } from "../helpers/fixtures.js";
import { BUCKETS, seedEpisode, startTestOrigin, testS3, uploadFixture, type TestOrigin } from "../helpers/harness.js";

const run = promisify(execFile);
let t: TestOrigin;
let dir: string;
let source: string;
let cover: Buffer;
const RATE = 44100;

async function decode(file: string): Promise<Float32Array> {
  const { stdout } = await run("ffmpeg", ["-v", "error", "-i", file, "-map", "0:a", "-f", "f32le", "-"], {
    encoding: "buffer",
    maxBuffer: 1 << 30,
  });
  const copy = new Uint8Array(stdout);
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

/** Asks the origin for a clip and downloads its bytes from the pre-signed URL. */
async function clip(episode: string, startMs: number, durationMs: number): Promise<Uint8Array> {
  const res = await t.request(`/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`);
  expect(res.status).toBe(200);
  return new Uint8Array(await (await fetch(res.json.clip_url)).arrayBuffer());
}

beforeAll(async () => {
  t = await startTestOrigin();
  dir = await mkdtemp(path.join(os.tmpdir(), "edgeclip-label-"));
  // 20 s of stereo VBR pink noise behind an ID3v2.3 tag with a title, an album and a small PNG cover.
  const png = path.join(dir, "cover.png");
  await run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=s=64x64", "-frames:v", "1", png]);
  cover = await readFile(png);
  source = path.join(dir, "source.mp3");
  await run("ffmpeg", [
    ...["-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=20:c=pink:r=44100:a=0.3:seed=5", "-i", png],
    ...["-map", "0:a", "-map", "1:v", "-ac", "2", "-c:a", "libmp3lame", "-q:a", "4", "-c:v", "copy"],
    ...["-id3v2_version", "3", "-metadata", "title=Source title", "-metadata", "album=Source album"],
    ...["-metadata:s:v", "comment=Cover (front)", source],
  ]);
});

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("labelled clip files", () => {
  it("tags a clip before its Info frame; it decodes sample-exact and mp3val finds nothing wrong", async () => {
    const key = `fixtures/label-${randomUUID()}.mp3`;
    await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: await readFile(source) }));
    const id = `ep-${randomUUID()}`;
    await t.db
      .collection("episodes")
      .insertOne({ episode_id: id, audio_url: `s3://${BUCKETS.raw}/${key}`, duration_ms: 20_000, title: "Ep title" });
    const bytes = await clip(id, 10_000, 5_000);
    const tagLength = id3v2TagLength(bytes) as number;
    expect(tagLength).toBeGreaterThan(cover.length);
    const fields = readId3Fields(bytes.subarray(0, tagLength));
    expect(fields.title).toBe("Ep title, 0:10–0:15");
    // No show in the catalog: the source's album is the show.
    expect(fields.album).toBe("Source album");
    expect(fields.user).toEqual({ [TXXX.episodeId]: id, [TXXX.startMs]: "10000", [TXXX.endMs]: "15000" });
    expect(fields.picture?.mime).toBe("image/png");
    expect(Buffer.from(fields.picture?.data ?? []).equals(cover)).toBe(true);
    // Only one tag, and the Info frame is the first audio frame right after it.
    expect(id3v2TagLength(bytes, tagLength)).toBeNull();
    expect(readXing(bytes.subarray(tagLength))).not.toBeNull();

    const file = path.join(dir, "clip.mp3");
    await writeFile(file, bytes);
    const [pcm, src] = await Promise.all([decode(file), decode(source)]);
    expect(pcm.length / 2).toBe(5 * RATE);
    const base = 10 * RATE * 2;
    let maxDiff = 0;
    for (let i = 0; i < pcm.length; i++) maxDiff = Math.max(maxDiff, Math.abs((pcm[i] ?? 0) - (src[base + i] ?? 0)));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);

    const checked = await run("mp3val", [file]);
    const problems = checked.stdout.split("\n").filter((l) => /WARNING|ERROR/.test(l) && !/No supported tags/.test(l));
    expect(problems).toEqual([]);
  });

  it("reads no source tag too big for a short clip's cover, and uses the catalog's show", async () => {
    const vbr = await vbrWithId3(); // ~480 KB of cover art
    const id = await seedEpisode(t.db, { audioUrl: await uploadFixture(vbr), durationMs: vbr.durationMs });
    await t.db.collection("episodes").updateOne({ episode_id: id }, { $set: { show: "The Show" } });
    const bytes = await clip(id, 154_000, 3_000);
    const fields = readId3Fields(bytes.subarray(0, id3v2TagLength(bytes) as number));
    // Its tag is too big to be read at all, so the title falls back to the episode id.
    expect(fields.title).toBe(`${id}, 2:34–2:37`);
    expect(fields).toMatchObject({ album: "The Show", artist: "The Show" });
    expect(fields.picture).toBeUndefined();
  });
});
