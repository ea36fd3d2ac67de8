import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MongoClient, type Collection, type Db, type Document } from "mongodb";
import { inject } from "vitest";
import {
  CLIP_FACTS_HEADER,
  canonicalPath,
  parseClipFacts,
  parseClipUrl,
  signOriginRequest,
  type ClipJsonResponse,
} from "../../../core/index.js";
import { DEFAULT_COLLECTION_NAMES, setupDatabase } from "../../../origin/catalog/db-schema.js";
import { mongoWhere } from "../../../origin/catalog/mongo-failure.js";
import { StoredIndexes } from "../../../origin/store/stored-index.js";
import { loadConfig, type OriginConfig } from "../../../origin/config/config.js";
import type { SpawnFn } from "../../../origin/cut/ffmpeg-cut.js";
import { createOrigin, type Origin, type OriginDeps } from "../../../origin/origin.js";
import { LOCAL_BUCKETS } from "../../../scripts/services/env-lines.js";
import { s3ClientConfig } from "../../../scripts/services/local-services.js";
import { expectNoInternals } from "../../shared/public-answer.js";
import { v2Event } from "./api-gateway-event.js";
import { cbrTenMinutes, type Fixture } from "./fixtures.js";

export const services = inject("services");
export const SECRET = "test-origin-secret-0123456789";
export const BUCKETS = LOCAL_BUCKETS;
export const LAMBDA = { getRemainingTimeInMillis: () => 29_000 };

/** A plain S3 client for the tests' own checks (one attempt: a stopped server shows at once). */
export const testS3 = new S3Client({ ...s3ClientConfig(services.s3), maxAttempts: 1 });

export function testEnv(dbName: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: services.mongodbUri,
    MONGODB_DB: dbName,
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: "1500",
    RAW_BUCKET: BUCKETS.raw,
    CLIPS_BUCKET: BUCKETS.clips,
    S3_ENDPOINT: services.s3.endpoint,
    S3_FORCE_PATH_STYLE: String(services.s3.forcePathStyle),
    AWS_REGION: services.s3.region,
    ORIGIN_SECRET: SECRET,
    ...extra,
  };
}

export interface TestOrigin {
  origin: Origin;
  config: OriginConfig;
  db: Db;
  mongo: MongoClient;
  /** Every FFmpeg process the origin started. */
  ffmpegRuns: string[][];
  logs: Record<string, unknown>[];
  /** Parent of the cutter's temp dirs; empty between requests when cleanup works. */
  tmpRoot: string;
  request(pathAndQuery: string, opts?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  json: ClipJsonResponse;
  /** A bytes answer's audio (its facts are in `json`, without a clip_url). */
  bytes?: Buffer;
  /** The origin's log line for this request. */
  logged: Record<string, unknown>;
  /** What the operator reads about an error: the log line's detail, else its message ("undefined" on success). */
  detail: string;
}

export interface RequestOptions {
  /** Replace the signature headers (undefined removes them). */
  headers?: Record<string, string> | undefined;
  lambda?: { getRemainingTimeInMillis(): number };
}

/** This test stack's own names, which a public answer must never contain. */
export function internalNames(tmpRoot: string): string[] {
  const s3 = new URL(services.s3.endpoint);
  const mongo = new URL(services.mongodbUri.replace(/^mongodb/, "http"));
  return [BUCKETS.raw, BUCKETS.clips, s3.host, `:${s3.port}`, mongo.host, `:${mongo.port}`, tmpRoot];
}

/** The collection the origin keeps its seek indexes in (default name), in a test's database. */
export const indexDocs = (db: Db): Collection<Document> => db.collection(DEFAULT_COLLECTION_NAMES.seekIndexes);

/** Whether any document of an episode's index (head or chunk) is stored in a test's database. */
export const hasStoredIndex = async (db: Db, episodeId: string): Promise<boolean> =>
  (await indexDocs(db).countDocuments({ episode: episodeId })) > 0;

/** The stored indexes as the origin reads and writes them, in a test's database. */
export const storedIndexes = (db: Db): StoredIndexes => new StoredIndexes(indexDocs(db), mongoWhere(db.client));

/**
 * A real origin (real clients, real FFmpeg) on a private database, with test hooks. `sameDatabaseAs`: another
 * container of that origin's deployment (its own memory and clients, the same catalog and stored indexes; the
 * database is left to its owner to drop).
 */
export async function startTestOrigin(
  overrides: Partial<OriginDeps> & { env?: Record<string, string>; sameDatabaseAs?: TestOrigin } = {},
): Promise<TestOrigin> {
  const owned = overrides.sameDatabaseAs === undefined;
  const dbName = overrides.sameDatabaseAs?.db.databaseName ?? `origin_test_${randomUUID().slice(0, 8)}`;
  const mongo = await new MongoClient(services.mongodbUri, { serverSelectionTimeoutMS: 5000 }).connect();
  const db = mongo.db(dbName);
  await setupDatabase(db, DEFAULT_COLLECTION_NAMES, () => {});
  const config = loadConfig(testEnv(dbName, overrides.env));
  const ffmpegRuns: string[][] = [];
  const countingSpawn: SpawnFn = (command, args, options): ChildProcess => {
    ffmpegRuns.push([...args]);
    return spawn(command, args, options);
  };
  const logs: Record<string, unknown>[] = [];
  const tmpRoot = await mkdtemp(path.join(os.tmpdir(), "edgeclip-origin-test-"));
  const { env: _env, sameDatabaseAs: _shared, ...deps } = overrides;
  let origin: Origin;
  try {
    origin = await createOrigin({
      config,
      s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
      spawn: countingSpawn,
      tmpRoot,
      log: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
      ...deps,
    });
  } catch (err) {
    // Tests that expect a failed start (FFmpeg missing) must not leave a database or temp folder behind.
    if (owned) await db.dropDatabase().catch(() => {});
    await mongo.close();
    await rm(tmpRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    origin,
    config,
    db,
    mongo,
    ffmpegRuns,
    logs,
    tmpRoot,
    async request(pathAndQuery, opts = {}) {
      const headers = "headers" in opts ? opts.headers : await signFor(pathAndQuery);
      const before = logs.length;
      const res = await origin.handle(v2Event(pathAndQuery, headers ?? {}), opts.lambda ?? LAMBDA);
      const answerHeaders = (res.headers ?? {}) as Record<string, string>;
      const bytes = res.isBase64Encoded ? Buffer.from(res.body, "base64") : undefined;
      const body = (bytes ? (parseClipFacts(answerHeaders[CLIP_FACTS_HEADER]) ?? {}) : JSON.parse(res.body)) as Record<
        string,
        unknown
      >;
      // Every error any origin test provokes (the fault matrix included) is checked for internals here.
      if (res.statusCode >= 400) {
        expectNoInternals({ status: res.statusCode, headers: answerHeaders, body: res.body }, internalNames(tmpRoot));
      }
      const logged =
        logs
          .slice(before)
          .reverse()
          .find((line) => line.msg === "clip request") ?? {};
      return {
        status: res.statusCode,
        headers: answerHeaders,
        body,
        json: body as unknown as ClipJsonResponse,
        ...(bytes ? { bytes } : {}),
        logged,
        detail: String(logged.detail ?? logged.error),
      };
    },
    async close() {
      await origin.close();
      if (owned) await db.dropDatabase().catch(() => {});
      await mongo.close();
      await rm(tmpRoot, { recursive: true, force: true });
    },
  };
}

/** The Worker's side of origin auth: sign the canonical form of the request. */
export async function signFor(
  pathAndQuery: string,
  method = "GET",
  nowMs = Date.now(),
): Promise<Record<string, string>> {
  const req = parseClipUrl(new URL(pathAndQuery, "https://edge.example"));
  return signOriginRequest({ method, canonicalPath: canonicalPath(req) }, SECRET, nowMs);
}

/** Uploads a fixture to the raw bucket once (same key and size → skipped) and returns its s3:// URL. */
export async function uploadFixture(fixture: Fixture): Promise<string> {
  const key = `fixtures/${path.basename(fixture.file)}`;
  const body = await readFile(fixture.file);
  const existing = await testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.raw, Key: key })).then(
    (h) => h.ContentLength,
    () => undefined,
  );
  if (existing !== body.length) await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: body }));
  return `s3://${BUCKETS.raw}/${key}`;
}

/** What a catalog may also say about an episode (its title, show and cover), for the people-facing pages. */
export interface EpisodeFacts {
  title?: string;
  show?: string;
  imageUrl?: string;
}

export async function seedEpisode(
  db: Db,
  episode: { id?: string; audioUrl: string; durationMs: number } & EpisodeFacts,
): Promise<string> {
  const id = episode.id ?? `ep-${randomUUID()}`;
  const { title, show, imageUrl } = episode;
  await db.collection("episodes").insertOne({
    episode_id: id,
    audio_url: episode.audioUrl,
    duration_ms: episode.durationMs,
    ...(title === undefined ? {} : { title }),
    ...(show === undefined ? {} : { show }),
    ...(imageUrl === undefined ? {} : { image_url: imageUrl }),
  });
  return id;
}

/** Seeds an episode whose audio is this fixture, uploaded to the raw bucket. */
export async function seedFixtureEpisode(db: Db, fixture: Fixture, facts: EpisodeFacts = {}): Promise<string> {
  return seedEpisode(db, { audioUrl: await uploadFixture(fixture), durationMs: fixture.durationMs, ...facts });
}

/** A test origin with one episode seeded from the 10-minute CBR fixture, the source most tests cut from. */
export async function startOriginWithEpisode(
  overrides: Parameters<typeof startTestOrigin>[0] = {},
): Promise<{ t: TestOrigin; episode: string }> {
  const [t, cbr] = await Promise.all([startTestOrigin(overrides), cbrTenMinutes()]);
  return { t, episode: await seedFixtureEpisode(t.db, cbr) };
}

/** Keys of the clip objects of one episode in the clips bucket. */
export async function clipKeys(episodeId: string): Promise<string[]> {
  const out = await testS3.send(
    new ListObjectsV2Command({ Bucket: BUCKETS.clips, Prefix: `audio_clips/${episodeId}/` }),
  );
  return (out.Contents ?? []).map((o) => o.Key ?? "");
}

export async function tempEntries(root: string): Promise<string[]> {
  return readdir(root);
}
