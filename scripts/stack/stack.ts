import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { MongoClient } from "mongodb";
import { loadConfig } from "../../origin/config/config.js";
import { startLocalOrigin, type LocalOriginServer } from "../../origin/dev/local-server.js";
import { createOrigin } from "../../origin/origin.js";
import type { LogSink } from "../../origin/observe/request-log.js";
import { dbSetupTargetFromEnv, runDbSetup, type DbSetupTarget } from "../catalog/db-setup.js";
import { LOCAL_BUCKETS } from "../services/env-lines.js";
import { createBucket, s3ClientConfig, startLocalServices, type LocalServices } from "../services/local-services.js";
import { guardDir, releaseDir } from "../services/orphan-guard.js";
import { startWranglerDev, type Cleanups } from "./wrangler-dev.js";
import { claimPublication, publishStack, unpublishStack, type LocalStackInfo } from "./published-stack.js";
import { DEMO_EPISODE_ID, makeDemoAudio, registerDemoEpisode } from "./demo-episode.js";
import { clipPath } from "../../core/index.js";

const root = path.resolve(import.meta.dirname, "../..");

export interface StackOptions {
  edgePort: number;
  originPort: number;
  log: (line: string) => void;
  /**
   * Only `npm start` publishes its stack (to this file) for the operator commands; stacks of the tests and the
   * bench own their state and leave a running `npm start` fully usable.
   */
  publish?: string;
  /** Where the origin's JSON log lines go (default: stdout, as in Lambda); the load test counts cuts in them. */
  originLog?: LogSink;
}

export interface Stack {
  edgeUrl: string;
  originUrl: string;
  /** The origin's signing secret, for in-process callers only (the bench puts a second edge in front); never published. */
  originSecret: string;
  demoClipUrl: string;
  /** Where its servers and buckets are (what `npm run episodes` reads from the stack file). */
  info: LocalStackInfo;
  stop(): Promise<void>;
}

/** The demo episode, generated once into .cache/demo and registered as `episodes add` would. */
async function addDemoEpisode(services: LocalServices, target: DbSetupTarget, log: (line: string) => void) {
  log("demo episode: generating and uploading…");
  const s3 = new S3Client(s3ClientConfig(services.s3));
  const mongo = await new MongoClient(services.mongodbUri).connect();
  try {
    const file = await makeDemoAudio(path.join(root, ".cache", "demo"));
    await registerDemoEpisode({
      s3,
      rawBucket: LOCAL_BUCKETS.raw,
      clipsBucket: LOCAL_BUCKETS.clips,
      db: mongo.db(target.dbName),
      names: target.names,
      file,
    });
  } finally {
    s3.destroy();
    await mongo.close();
  }
}

/** The local MongoDB-wire and S3 servers, with the buckets, the schema and the demo episode in place. */
async function startStorage(log: (line: string) => void, cleanups: Cleanups) {
  const services: LocalServices = await startLocalServices({ log });
  cleanups.push(() => services.stop());
  for (const bucket of Object.values(LOCAL_BUCKETS)) await createBucket(services, bucket);
  const target = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri });
  await runDbSetup(target, log);
  await addDemoEpisode(services, target, log);
  return { services, target };
}

/** The origin, configured as a deployment would be, behind the local API Gateway stand-in. */
async function startOrigin(
  storage: { services: LocalServices; target: DbSetupTarget },
  secret: string,
  options: Pick<StackOptions, "originPort" | "originLog" | "log">,
  cleanups: Cleanups,
): Promise<LocalOriginServer> {
  const { services, target } = storage;
  const config = loadConfig({
    MONGODB_URI: services.mongodbUri,
    MONGODB_DB: target.dbName,
    RAW_BUCKET: LOCAL_BUCKETS.raw,
    CLIPS_BUCKET: LOCAL_BUCKETS.clips,
    S3_ENDPOINT: services.s3.endpoint,
    S3_FORCE_PATH_STYLE: String(services.s3.forcePathStyle),
    AWS_REGION: services.s3.region,
    ORIGIN_SECRET: secret,
    ...(process.env.FFMPEG_PATH ? { FFMPEG_PATH: process.env.FFMPEG_PATH } : {}),
  });
  const origin = await createOrigin({
    config,
    s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    ...(options.originLog ? { log: options.originLog } : {}),
  });
  cleanups.push(() => origin.close());
  const server = await startLocalOrigin(origin, { port: options.originPort });
  cleanups.push(() => server.close());
  options.log(`origin: ${server.url} (API Gateway v2 events, the Lambda handler's code)`);
  return server;
}

async function publish(file: string, info: LocalStackInfo, cleanups: Cleanups): Promise<void> {
  await publishStack(file, info);
  // Readers ignore a file whose process is gone; the watchdog also removes it if we are killed.
  guardDir(file);
  cleanups.push(() => unpublishStack(file).then(() => releaseDir(file)));
}

/**
 * The whole service on one machine: local MongoDB-wire and S3 servers, the schema, a demo episode,
 * the origin behind the local API Gateway stand-in, and the Worker in `wrangler dev` (workerd, local
 * R2 and cache). Everything started is stopped by `stop()`, in reverse order.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { edgePort, log } = options;
  if (options.publish) await claimPublication(options.publish);
  const cleanups: Cleanups = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  };
  try {
    const storage = await startStorage(log, cleanups);
    // A fresh secret per start: only this Worker can call this origin.
    const secret = randomBytes(24).toString("hex");
    const server = await startOrigin(storage, secret, options, cleanups);
    // Fresh like the local servers' data: an R2 mirror outliving the S3 bucket it mirrors would serve
    // clips the catalog no longer knows.
    const edgeState = await mkdtemp(path.join(tmpdir(), "edgeclip-edge-"));
    cleanups.push(() => rm(edgeState, { recursive: true, force: true }));
    const edgeUrl = await startWranglerDev({ edgePort, originUrl: server.url, secret, edgeState, log, cleanups });
    const { services, target } = storage;
    const info: LocalStackInfo = {
      pid: process.pid,
      mongodbUri: services.mongodbUri,
      mongodbDb: target.dbName,
      s3: services.s3,
      rawBucket: LOCAL_BUCKETS.raw,
      clipsBucket: LOCAL_BUCKETS.clips,
      edgeState,
      edgeUrl,
    };
    if (options.publish) await publish(options.publish, info, cleanups);
    return {
      edgeUrl,
      originUrl: server.url,
      originSecret: secret,
      demoClipUrl: `${edgeUrl}${clipPath(DEMO_EPISODE_ID, { start_time_ms: 5000, duration_ms: 10_000 })}`,
      info,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
