import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../origin/config/config.js";
import { createOrigin } from "../../origin/origin.js";
import { LOCAL_BUCKETS } from "../../scripts/services/env-lines.js";
import { indexDocs, LAMBDA, SECRET, signFor } from "../origin/helpers/harness.js";
import { v2Event } from "../origin/helpers/api-gateway-event.js";
import { runScript, scriptEnv } from "./helpers/run-script.js";
import { testClients } from "./helpers/test-clients.js";

const run = promisify(execFile);
const services = inject("services");
const dbName = `episodes_test_${randomUUID().slice(0, 8)}`;
const env = scriptEnv(dbName);
let dir: string;
const mappedDbName = `episodes_mapped_${randomUUID().slice(0, 8)}`;
const { s3, mongo, exists } = testClients([dbName, mappedDbName]);
/** A catalog with its own names, nested as an existing podcast database might keep them. */
const MAPPING = {
  EPISODE_COLLECTION: "shows",
  EPISODE_FIELD_ID: "guid",
  EPISODE_FIELD_AUDIO_URL: "enclosure.s3",
  EPISODE_FIELD_DURATION_MS: "enclosure.length_ms",
};

const episodesWith = (withEnv: NodeJS.ProcessEnv, ...args: string[]) => runScript("scripts/episodes.ts", args, withEnv);
const episodes = (...args: string[]) => episodesWith(env, ...args);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "edgeclip-episodes-"));
  await run("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "sine=f=440:d=12",
    "-c:a",
    "libmp3lame",
    "-b:a",
    "64k",
    path.join(dir, "ep.mp3"),
  ]);
  await run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=f=330:d=12", "-c:a", "aac", path.join(dir, "ep.m4a")]);
  await writeFile(path.join(dir, "not-audio.mp3"), "this is text, not audio\n".repeat(100));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("npm run episodes", () => {
  const id = `cli-${randomUUID().slice(0, 8)}`;

  it("adds a file: uploads it, measures it, registers it; list shows it", async () => {
    const added = await episodes(
      "add",
      path.join(dir, "ep.mp3"),
      ...["--id", id, "--title", "CLI test", "--show", "The Show", "--image-url", "https://img.example/c.jpg"],
    );
    expect(added.code).toBe(0);
    expect(added.stderr).toContain("uploading to s3://edgeclip-raw/");
    expect(await exists(LOCAL_BUCKETS.raw, `episodes/${id}/audio.mp3`)).toBe(true);
    // The seek index is built at once, so even the first clip reads only its own frames.
    expect(added.stdout + added.stderr).toMatch(/seek index: \d+ frames/);
    expect(await indexDocs(mongo.db(dbName)).countDocuments({ episode: id })).toBe(1);
    // So are its waveform peaks (#17), for the studio and share pages.
    expect(added.stderr).toMatch(/waveform: 120 pixels of 4410 samples \(built\)/);
    expect(await exists(LOCAL_BUCKETS.clips, `waveform/${id}.json`)).toBe(true);
    const doc = await mongo.db(dbName).collection("episodes").findOne({ episode_id: id });
    expect(doc?.audio_url).toBe(`s3://${LOCAL_BUCKETS.raw}/episodes/${id}/audio.mp3`);
    expect(doc).toMatchObject({ title: "CLI test", show: "The Show", image_url: "https://img.example/c.jpg" });
    expect(Math.abs(Number(doc?.duration_ms) - 12_000)).toBeLessThan(100);
    const listed = await episodes("list");
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\t12\\.\\d s\\tCLI test\\t`, "m"));
  });

  it("adds an M4A: its AAC index is built at once (12 s: its sizes fit in the head, one document)", async () => {
    const m4aId = `cli-${randomUUID().slice(0, 8)}`;
    const added = await episodes("add", path.join(dir, "ep.m4a"), "--id", m4aId);
    expect(added.code).toBe(0);
    expect(added.stdout + added.stderr).toMatch(
      /AAC index: \d+ packets, 44100 Hz, 1 ch, 1024 samples of encoder delay/,
    );
    expect(await indexDocs(mongo.db(dbName)).countDocuments({ episode: m4aId })).toBe(1);
    expect(await exists(LOCAL_BUCKETS.raw, `episodes/${m4aId}/audio.m4a`)).toBe(true);
  });

  it("refuses a non-audio file and a bad id, changing nothing", async () => {
    const bad = `bad-${randomUUID().slice(0, 8)}`;
    const notAudio = await episodes("add", path.join(dir, "not-audio.mp3"), "--id", bad);
    expect(notAudio.code).toBe(1);
    expect(notAudio.stderr).toContain("not an audio file");
    expect(await exists(LOCAL_BUCKETS.raw, `episodes/${bad}/audio.mp3`)).toBe(false);
    expect(await mongo.db(dbName).collection("episodes").countDocuments({ episode_id: bad })).toBe(0);
    const badId = await episodes("add", path.join(dir, "ep.mp3"), "--id", "../escape");
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain("episode_id");
    expect((await episodes("add", path.join(dir, "ep.mp3"))).code).toBe(2);
  });

  it("removes the episode with its clips, records and audio", async () => {
    const clipKey = `audio_clips/${id}/0-1000.mp3`;
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKETS.clips, Key: clipKey, Body: "clip" }));
    await mongo
      .db(dbName)
      .collection("audio_clips")
      .insertOne({ episode_id: id, clip_start_ms: 0, clip_end_ms: 1000, s3_key: clipKey, generated_at: new Date() });
    const removed = await episodes("remove", id);
    expect(removed.code).toBe(0);
    expect(await exists(LOCAL_BUCKETS.clips, clipKey)).toBe(false);
    expect(await exists(LOCAL_BUCKETS.clips, `waveform/${id}.json`)).toBe(false);
    expect(await exists(LOCAL_BUCKETS.raw, `episodes/${id}/audio.mp3`)).toBe(false);
    expect(await mongo.db(dbName).collection("audio_clips").countDocuments({ episode_id: id })).toBe(0);
    expect(await mongo.db(dbName).collection("episodes").countDocuments({ episode_id: id })).toBe(0);
    expect((await episodes("remove", id)).stderr).toContain(`no episode ${id}`);
  });
});

describe("npm run episodes with a mapped catalog (EPISODE_FIELD_*)", () => {
  const id = `mapped-${randomUUID().slice(0, 8)}`;
  const mappedEnv = { ...env, MONGODB_DB: mappedDbName, ...MAPPING };

  it("registers under the mapped names, and the origin cuts a clip of what it registered", async () => {
    const added = await episodesWith(mappedEnv, "add", path.join(dir, "ep.mp3"), "--id", id);
    expect(added.code).toBe(0);
    const doc = await mongo.db(mappedDbName).collection("shows").findOne({ guid: id });
    expect(doc?.enclosure?.s3).toBe(`s3://${LOCAL_BUCKETS.raw}/episodes/${id}/audio.mp3`);
    expect(Math.abs(Number(doc?.enclosure?.length_ms) - 12_000)).toBeLessThan(100);
    expect(doc).not.toHaveProperty("audio_url");
    expect(doc).not.toHaveProperty("episode_id");
    expect(await mongo.db(mappedDbName).collection("episodes").countDocuments()).toBe(0);

    const listed = await episodesWith(mappedEnv, "list");
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\t12\\.\\d s\\t\\ts3://${LOCAL_BUCKETS.raw}/episodes/${id}/audio.mp3$`, "m"),
    );

    const config = loadConfig({
      ...MAPPING,
      MONGODB_URI: services.mongodbUri,
      MONGODB_DB: mappedDbName,
      CLIPS_BUCKET: LOCAL_BUCKETS.clips,
      S3_ENDPOINT: services.s3.endpoint,
      S3_FORCE_PATH_STYLE: String(services.s3.forcePathStyle),
      AWS_REGION: services.s3.region,
      ORIGIN_SECRET: SECRET,
    });
    const origin = await createOrigin({
      config,
      s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
      log: () => {},
    });
    try {
      const clip = `/api/v1/audio_clips/${id}?start_time_ms=2000&duration_ms=5000`;
      const res = await origin.handle(v2Event(clip, await signFor(clip)), LAMBDA);
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body) as { clip_start_ms: number; clip_end_ms: number; file_size_bytes: number };
      expect(body).toMatchObject({ clip_start_ms: 2000, clip_end_ms: 7000 });
      expect(body.file_size_bytes).toBeGreaterThan(0);
    } finally {
      await origin.close();
    }

    const removed = await episodesWith(mappedEnv, "remove", id);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain(`removed s3://${LOCAL_BUCKETS.raw}/episodes/${id}/audio.mp3`);
    expect(await exists(LOCAL_BUCKETS.raw, `episodes/${id}/audio.mp3`)).toBe(false);
    expect(await mongo.db(mappedDbName).collection("shows").countDocuments({ guid: id })).toBe(0);
  });
});
