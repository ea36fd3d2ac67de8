import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { MongoClient, MongoServerError } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  CLIP_LOOKUP_INDEX,
  CLIP_POPULARITY_INDEX,
  CLIP_VALIDATOR,
  DEFAULT_COLLECTION_NAMES,
  EPISODE_LOOKUP_INDEX,
  SEEK_INDEX_EPISODE_INDEX,
  setupDatabase,
} from "../../origin/catalog/db-schema.js";
import { LOCAL_BUCKETS } from "../../scripts/services/env-lines.js";
import {
  createBucket,
  s3ClientConfig,
  startLocalServices,
  type LocalServices,
} from "../../scripts/services/local-services.js";
import { controlServer } from "../setup/control.js";
import { startPrivateServices } from "../setup/private-services.js";

const services = inject("services");
// One attempt: a stopped server must show up as a failed request, not as a slow retry.
const s3 = new S3Client({ ...s3ClientConfig(services.s3), maxAttempts: 1 });
const mongo = new MongoClient(services.mongodbUri, { serverSelectionTimeoutMS: 5000 });

beforeAll(() => mongo.connect());
afterAll(async () => {
  s3.destroy();
  await mongo.close();
});

async function readText(bucket: string, key: string): Promise<{ body: string; metadata: Record<string, string> }> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: (await got.Body?.transformToString()) ?? "", metadata: got.Metadata ?? {} };
}

describe("local services", () => {
  it("answers a MongoDB ping", async () => {
    expect(await mongo.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("round-trips an object with user metadata through S3", async () => {
    const key = `audio_clips/test-${randomUUID()}/0-1000.mp3`;
    await s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_BUCKETS.clips,
        Key: key,
        Body: "not really mp3",
        ContentType: "audio/mpeg",
        Metadata: { "clip-start-ms": "0", "clip-end-ms": "1000" },
      }),
    );
    expect(await readText(LOCAL_BUCKETS.clips, key)).toEqual({
      body: "not really mp3",
      metadata: { "clip-start-ms": "0", "clip-end-ms": "1000" },
    });
  });

  it("rejects requests signed with a wrong secret", async () => {
    const intruder = new S3Client({ ...s3ClientConfig({ ...services.s3, secretAccessKey: "wrong" }), maxAttempts: 1 });
    await expect(
      intruder.send(new GetObjectCommand({ Bucket: LOCAL_BUCKETS.raw, Key: "anything" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    intruder.destroy();
  });

  it("createBucket succeeds for an existing bucket", async () => {
    await createBucket(services, LOCAL_BUCKETS.raw);
    await createBucket(services, LOCAL_BUCKETS.raw);
  });
});

describe("database setup", () => {
  it("is idempotent: a second run succeeds and changes nothing", async () => {
    const db = mongo.db(`setup_test_${randomUUID().slice(0, 8)}`);
    try {
      const firstLog: string[] = [];
      await setupDatabase(db, DEFAULT_COLLECTION_NAMES, (line) => firstLog.push(line));
      const indexesAfterFirst = await db.collection("audio_clips").listIndexes().toArray();
      const secondLog: string[] = [];
      await setupDatabase(db, DEFAULT_COLLECTION_NAMES, (line) => secondLog.push(line));

      expect(await db.collection("audio_clips").listIndexes().toArray()).toEqual(indexesAfterFirst);
      expect(indexesAfterFirst.find((index) => index.name === CLIP_LOOKUP_INDEX)).toMatchObject({
        key: { episode_id: 1, clip_start_ms: 1, clip_end_ms: 1 },
        unique: true,
      });
      const popularity = indexesAfterFirst.find((index) => index.name === CLIP_POPULARITY_INDEX);
      expect(popularity).toMatchObject({ key: { request_count: -1, last_requested_at: -1 } });
      expect(popularity?.unique).toBeUndefined();
      const seekIndexes = await db.collection("seek_indexes").listIndexes().toArray();
      expect(seekIndexes.find((index) => index.name === SEEK_INDEX_EPISODE_INDEX)).toMatchObject({
        key: { episode: 1 },
      });
      const episodeIndexes = await db.collection("episodes").listIndexes().toArray();
      expect(episodeIndexes.find((index) => index.name === EPISODE_LOOKUP_INDEX)).toMatchObject({
        key: { episode_id: 1 },
        unique: true,
      });
      const [clips] = await db.listCollections({ name: "audio_clips" }, { nameOnly: false }).toArray();
      const unsupported = firstLog.filter((line) => line.includes("validators are not supported"));
      if (unsupported.length === 0) expect(clips?.options?.validator).toEqual(CLIP_VALIDATOR);
      else expect(unsupported).toHaveLength(1);
    } finally {
      await db.dropDatabase();
    }
  });

  it("uses the configured episode id field for the episodes index", async () => {
    const db = mongo.db(`setup_test_${randomUUID().slice(0, 8)}`);
    try {
      const names = { clips: "clips2", episodes: "catalog", seekIndexes: "indexes2", episodeIdField: "guid" };
      await setupDatabase(db, names, () => {});
      const indexes = await db.collection("catalog").listIndexes().toArray();
      expect(indexes.find((index) => index.name === EPISODE_LOOKUP_INDEX)).toMatchObject({
        key: { guid: 1 },
        unique: true,
      });
      const seekIndexes = await db.collection("indexes2").listIndexes().toArray();
      expect(seekIndexes.map((index) => index.name)).toContain(SEEK_INDEX_EPISODE_INDEX);
    } finally {
      await db.dropDatabase();
    }
  });

  it("the unique clip index rejects a second record for the same clip", async () => {
    const clips = mongo.db("edgeclip").collection("audio_clips");
    const episodeId = `ep-${randomUUID()}`;
    const record = {
      episode_id: episodeId,
      clip_start_ms: 1000,
      clip_end_ms: 31000,
      s3_key: `audio_clips/${episodeId}/1000-31000.mp3`,
    };
    await clips.insertOne({ ...record, generated_at: new Date(), file_size_bytes: 480000 });
    const duplicate = clips.insertOne({ ...record, generated_at: new Date(), file_size_bytes: 480000 });
    await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    expect(await clips.countDocuments({ episode_id: episodeId })).toBe(1);
  });
});

describe("server control for fault tests", () => {
  // Servers given by env (MONGODB_URI, S3_ENDPOINT) are not ours to stop.
  it.skipIf(services.external.s3)(
    "a stopped S3 server fails requests, and after a restart it serves the same data again",
    async () => {
      const key = `audio_clips/test-${randomUUID()}/0-2000.mp3`;
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKETS.clips, Key: key, Body: "kept across restart" }));
      await controlServer("s3", "stop");
      try {
        await expect(readText(LOCAL_BUCKETS.clips, key)).rejects.toThrow(/ECONNREFUSED|connect/i);
      } finally {
        await controlServer("s3", "start");
      }
      expect((await readText(LOCAL_BUCKETS.clips, key)).body).toBe("kept across restart");
    },
  );
});

// A private set of servers: stopping the shared MongoDB would break test files running in parallel with this one.
describe.skipIf(services.external.mongodb || services.external.s3)("LocalServices restart", () => {
  let own: LocalServices;
  beforeAll(async () => {
    own = await startPrivateServices();
  });
  afterAll(() => own?.stop());

  it("a stopped MongoDB fails commands, and after startMongo it answers on the same URI with the same data", async () => {
    const client = new MongoClient(own.mongodbUri, { serverSelectionTimeoutMS: 5000 });
    try {
      const episodeId = `ep-${randomUUID()}`;
      const episodes = client.db("edgeclip").collection("episodes");
      await episodes.insertOne({ episode_id: episodeId, duration_ms: 60000 });
      await own.stopMongo();
      const probe = new MongoClient(own.mongodbUri, { serverSelectionTimeoutMS: 500 });
      await expect(probe.db("admin").command({ ping: 1 })).rejects.toThrow();
      await probe.close();
      await own.startMongo();
      expect(await episodes.findOne({ episode_id: episodeId })).toMatchObject({ duration_ms: 60000 });
      // The schema survived too: the unique episode index still rejects a second copy.
      await expect(episodes.insertOne({ episode_id: episodeId, duration_ms: 1 })).rejects.toMatchObject({
        code: 11000,
      });
    } finally {
      await client.close();
    }
  });

  it("stop() ends the servers: nothing answers on their ports afterwards", async () => {
    const extra = await startLocalServices();
    await createBucket(extra, "stop-check");
    await extra.stop();
    const probe = new MongoClient(extra.mongodbUri, { serverSelectionTimeoutMS: 500 });
    await expect(probe.db("admin").command({ ping: 1 })).rejects.toThrow();
    await probe.close();
    await expect(fetch(extra.s3.endpoint)).rejects.toThrow();
  });
});
