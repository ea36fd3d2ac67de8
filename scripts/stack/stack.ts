import { spawn, type ChildProcess } from "node:child_process";
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
import { dbSetupTargetFromEnv, runDbSetup } from "../catalog/db-setup.js";
import { LOCAL_BUCKETS } from "../services/env-lines.js";
import { createBucket, s3ClientConfig, startLocalServices, type LocalServices } from "../services/local-services.js";
import { guardChild, guardDir, releaseChild, releaseDir } from "../services/orphan-guard.js";
import { claimPublication, publishStack, unpublishStack, type LocalStackInfo } from "./published-stack.js";
import { makeDemoAudio, registerDemoEpisode } from "./demo-episode.js";

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
  demoClipUrl: string;
  /** Where its servers and buckets are (what `npm run episodes` reads from the stack file). */
  info: LocalStackInfo;
  stop(): Promise<void>;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Stops a process and everything it started (wrangler runs workerd as a child). */
function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    process.kill(-child.pid!, "SIGTERM");
  });
}

/**
 * The whole service on one machine: local MongoDB-wire and S3 servers, the schema, a demo episode,
 * the origin behind the local API Gateway stand-in, and the Worker in `wrangler dev` (workerd, local
 * R2 and cache). Everything started is stopped by `stop()`, in reverse order.
 */
export async function startStack({ edgePort, originPort, log, originLog, publish }: StackOptions): Promise<Stack> {
  if (publish) await claimPublication(publish);
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  };
  try {
    const services: LocalServices = await startLocalServices({ log });
    cleanups.push(() => services.stop());
    for (const bucket of Object.values(LOCAL_BUCKETS)) await createBucket(services, bucket);
    const target = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri });
    await runDbSetup(target, log);

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
        episodes: target.names.episodes,
        file,
      });
    } finally {
      s3.destroy();
      await mongo.close();
    }

    // A fresh secret per start: only this Worker can call this origin.
    const secret = randomBytes(24).toString("hex");
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
      ...(originLog ? { log: originLog } : {}),
    });
    cleanups.push(() => origin.close());
    const server: LocalOriginServer = await startLocalOrigin(origin, { port: originPort });
    cleanups.push(() => server.close());
    log(`origin: ${server.url} (API Gateway v2 events, the Lambda handler's code)`);

    // Fresh like the local servers' data: an R2 mirror outliving the S3 bucket it mirrors would serve
    // clips the catalog no longer knows.
    const edgeState = await mkdtemp(path.join(tmpdir(), "edgeclip-edge-"));
    cleanups.push(() => rm(edgeState, { recursive: true, force: true }));
    log("edge: starting wrangler dev…");
    const wrangler = spawn(
      process.execPath,
      [
        path.join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(edgePort),
        "--var",
        `ORIGIN_URL:${server.url}`,
        "--var",
        `ORIGIN_SECRET:${secret}`,
        "--persist-to",
        edgeState,
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: root,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
    // Its whole process group (wrangler and workerd), also if we die without running the cleanups.
    const group = -(wrangler.pid ?? 0);
    if (group !== 0) guardChild(group);
    cleanups.push(() => killGroup(wrangler).then(() => group !== 0 && releaseChild(group)));
    let wranglerOutput = "";
    const keep = (chunk: Buffer) => {
      wranglerOutput = (wranglerOutput + chunk.toString()).slice(-4000);
    };
    wrangler.stdout?.on("data", keep);
    wrangler.stderr?.on("data", keep);
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    await waitForHttp(`${edgeUrl}/healthz`, wrangler, 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- wrangler dev output ---\n${wranglerOutput}`);
    });
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
    if (publish) {
      await publishStack(publish, info);
      // Readers ignore a file whose process is gone; the watchdog also removes it if we are killed.
      guardDir(publish);
      cleanups.push(() => unpublishStack(publish).then(() => releaseDir(publish)));
    }
    return {
      edgeUrl,
      originUrl: server.url,
      demoClipUrl: `${edgeUrl}/api/v1/audio_clips/demo?start_time_ms=5000&duration_ms=10000`,
      info,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
