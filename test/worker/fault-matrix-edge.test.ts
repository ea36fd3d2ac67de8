import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readFile } from "node:fs/promises";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../origin/config/config.js";
import { startLocalOrigin, type LocalOriginServer } from "../../origin/dev/local-server.js";
import { createOrigin, type Origin } from "../../origin/origin.js";
import { dbSetupTargetFromEnv } from "../../scripts/catalog/db-setup.js";
import { LOCAL_BUCKETS } from "../../scripts/services/env-lines.js";
import { s3ClientConfig, type LocalServices } from "../../scripts/services/local-services.js";
import { cbrTenMinutes } from "../origin/helpers/fixtures.js";
import { startPrivateServices } from "../setup/private-services.js";
import { disposeWorkerBundle, startEdge, type Edge } from "./helpers/edge.js";
import { waitFor } from "../shared/wait-for.js";

// Origin trouble seen from the edge, with the real origin on servers of this file's own (the worker
// project runs files in parallel, so the shared servers cannot be frozen): the origin's listener closed,
// and the origin made slow by freezing its MongoDB with SIGSTOP. Then R2 faults with the real local R2.
const local = !process.env.MONGODB_URI && !process.env.S3_ENDPOINT;
const SECRET = "edge-fault-matrix-secret-0123456789";
const EPISODE = "edge-faults";
const ORIGIN_TIMEOUT_MS = 2000;

let services: LocalServices;
let origin: Origin;
let server: LocalOriginServer;
let edge: Edge;
let s3: S3Client;
let mongo: MongoClient;
let dbName: string;
const originLog: Record<string, unknown>[] = [];

const clip = (startMs: number) => `/api/v1/audio_clips/${EPISODE}?start_time_ms=${startMs}&duration_ms=5000`;
const key = (startMs: number) => `audio_clips/${EPISODE}/${startMs}-${startMs + 5000}.mp3`;

const until = (what: string, check: () => Promise<boolean> | boolean) => waitFor(check, `waiting until ${what}`);

async function clipObjects(startMs: number): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKETS.clips, Prefix: key(startMs) }));
  return (out.Contents ?? []).map((o) => o.Key ?? "");
}

async function nothingAtTheEdge(startMs: number): Promise<void> {
  expect(await edge.cached(clip(startMs))).toBe(false);
  expect(await (await edge.bucket()).head(key(startMs))).toBeNull();
}

beforeAll(async () => {
  services = await startPrivateServices();
  dbName = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri }).dbName;
  const config = loadConfig({
    MONGODB_URI: services.mongodbUri,
    MONGODB_DB: dbName,
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: "1500",
    RAW_BUCKET: LOCAL_BUCKETS.raw,
    CLIPS_BUCKET: LOCAL_BUCKETS.clips,
    S3_ENDPOINT: services.s3.endpoint,
    AWS_REGION: services.s3.region,
    ORIGIN_SECRET: SECRET,
  });
  origin = await createOrigin({
    config,
    s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    log: (line) => originLog.push(JSON.parse(line) as Record<string, unknown>),
  });
  server = await startLocalOrigin(origin);
  s3 = new S3Client({ ...s3ClientConfig(services.s3), maxAttempts: 1 });
  mongo = await new MongoClient(services.mongodbUri).connect();
  const cbr = await cbrTenMinutes();
  await s3.send(
    new PutObjectCommand({ Bucket: LOCAL_BUCKETS.raw, Key: "edge-faults.mp3", Body: await readFile(cbr.file) }),
  );
  await mongo
    .db(dbName)
    .collection("episodes")
    .insertOne({
      episode_id: EPISODE,
      audio_url: `s3://${LOCAL_BUCKETS.raw}/edge-faults.mp3`,
      duration_ms: cbr.durationMs,
    });
  edge = await startEdge({
    originUrl: server.url,
    originSecret: SECRET,
    vars: { ORIGIN_TIMEOUT_MS: String(ORIGIN_TIMEOUT_MS) },
  });
}, 120_000);

afterAll(async () => {
  await services?.resumeMongo().catch(() => {});
  await edge?.close();
  await server?.close();
  await origin?.close();
  await mongo?.close();
  s3?.destroy();
  await services?.stop();
  await disposeWorkerBundle();
});

/** An origin fault at the edge: a typed error to retry in 5 s, never stored, whose log line says why. */
async function expectOriginFault(res: Response, want: { status: number; code: string; logged: string }): Promise<void> {
  expect([res.status, res.headers.get("retry-after"), res.headers.get("cache-control")]).toEqual([
    want.status,
    "5",
    "no-store",
  ]);
  const body = await res.json();
  expect(body).toMatchObject({ error: { code: want.code, request_id: expect.any(String) } });
  expect(edge.errorLog(body)?.error).toBe(want.logged);
}

describe.runIf(local)("origin faults seen from the edge (real origin and servers)", () => {
  it("origin down → 502 with Retry-After, nothing cached or mirrored; back on its port → the retry is generated", async () => {
    const port = Number(new URL(server.url).port);
    await server.close();
    const res = await edge.fetch(clip(10_000));
    await expectOriginFault(res, { status: 502, code: "bad_gateway", logged: "The origin could not be reached" });
    await nothingAtTheEdge(10_000);
    server = await startLocalOrigin(origin, { port });
    const retry = await edge.fetch(clip(10_000));
    expect([retry.status, retry.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
  });

  it("origin slow (its MongoDB frozen) → 504 after ORIGIN_TIMEOUT_MS, nothing cached; after SIGCONT the retry gets the clip", async () => {
    await services.pauseMongo();
    let resumed = false;
    try {
      const res = await edge.fetch(clip(20_000));
      const logged = `The origin did not answer within ${ORIGIN_TIMEOUT_MS} ms`;
      await expectOriginFault(res, { status: 504, code: "timeout", logged });
      await nothingAtTheEdge(20_000);
      await services.resumeMongo();
      resumed = true;
    } finally {
      if (!resumed) await services.resumeMongo();
    }
    // The origin's own request carries on once MongoDB answers; whatever it ends with, it is whole.
    await until("the origin finished the abandoned request", () =>
      originLog.some((l) => l.start_ms === 20_000 && l.outcome !== undefined),
    );
    const retry = await edge.fetch(clip(20_000));
    expect(retry.status).toBe(200);
    expect(["generated", "origin-hit"]).toContain(retry.headers.get("x-edgeclip-layer"));
    const bytes = Buffer.from(await retry.arrayBuffer());
    expect(await clipObjects(20_000)).toEqual([key(20_000)]);
    expect(await mongo.db(dbName).collection("audio_clips").countDocuments({ clip_start_ms: 20_000 })).toBe(1);
    await until("R2 has the clip", async () => (await (await edge.bucket()).head(key(20_000)))?.size === bytes.length);
  });
});

describe.runIf(local)("R2 faults (real local R2)", () => {
  it.each([
    ["truncated, with the metadata of the whole clip", "truncated"],
    ["written without our metadata", "bare"],
    ["corrupted in place (same size, one byte changed), with the metadata of the whole clip", "corrupt"],
  ] as const)("an R2 object %s is not served: the origin's copy is, and R2 is repaired", async (_, kind) => {
    const start = { truncated: 30_000, bare: 40_000, corrupt: 50_000 }[kind];
    const first = await edge.fetch(clip(start));
    const bytes = Buffer.from(await first.arrayBuffer());
    const bucket = await edge.bucket();
    await until("the edge filled R2 and its cache", async () => (await bucket.head(key(start))) !== null);
    const good = await bucket.head(key(start));
    await edge.evict(clip(start));
    if (kind === "truncated") {
      // Copied out of Node's pooled buffer: Miniflare's proxy only passes views that own their memory.
      await bucket.put(key(start), new Uint8Array(bytes.subarray(0, bytes.length - 500)), {
        customMetadata: good?.customMetadata ?? {},
      });
    } else if (kind === "corrupt") {
      const flipped = new Uint8Array(bytes);
      flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
      await bucket.put(key(start), flipped, { customMetadata: good?.customMetadata ?? {} });
    } else {
      await bucket.put(key(start), new Uint8Array(bytes.subarray(0, 1000)));
    }
    const res = await edge.fetch(clip(start));
    expect([res.status, res.headers.get("x-edgeclip-layer")]).toEqual([200, "origin-hit"]);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    await until("R2 holds the whole clip again", async () => {
      const object = await bucket.get(key(start));
      return object !== null && Buffer.from(await object.arrayBuffer()).equals(bytes);
    });
    expect((await bucket.head(key(start)))?.customMetadata).toEqual(good?.customMetadata);
  });
});
