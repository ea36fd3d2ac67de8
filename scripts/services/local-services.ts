// Real local servers for development and tests: FerretDB (MongoDB wire protocol) and versitygw (S3 API
// with SigV4 checks), each on a free loopback port with its own temp data dir. Env vars replace either one.
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../origin/config/config.js";
import { loadS3EndpointConfig, type S3EndpointConfig } from "../../origin/config/s3-config.js";
import { ensureServerBinaries, ServicesSetupError } from "./ensure-binaries.mjs";
import { ManagedServer } from "./managed-server.js";
import { guardDir, releaseDir } from "./orphan-guard.js";
import { httpAnswers, mongoAnswers } from "./probes.js";

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** The JSON-serializable part of LocalServices (what tests receive through vitest's inject). */
export interface LocalServicesInfo {
  mongodbUri: string; // e.g. mongodb://127.0.0.1:PORT/ ; from MONGODB_URI when set
  s3: S3Settings;
  external: { mongodb: boolean; s3: boolean }; // true when taken from env instead of started here
}

export interface LocalServices extends LocalServicesInfo {
  /** Controls for fault tests on the locally started servers (they throw when that server is external). */
  stopMongo(): Promise<void>;
  startMongo(): Promise<void>;
  stopS3(): Promise<void>;
  startS3(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server keeps its port but answers nothing until resumed ("slow"). */
  pauseMongo(): Promise<void>;
  resumeMongo(): Promise<void>;
  pauseS3(): Promise<void>;
  resumeS3(): Promise<void>;
  stop(): Promise<void>; // stops everything started, removes temp dirs
}

/** Credentials of the local versitygw; not secret, it listens on loopback only. */
export const LOCAL_S3_CREDENTIALS = {
  region: "us-east-1",
  accessKeyId: "edgeclip-local",
  secretAccessKey: "edgeclip-local-secret",
} as const;

export async function startLocalServices(opts: { log?: (line: string) => void } = {}): Promise<LocalServices> {
  const log = opts.log ?? (() => {});
  const env = process.env;
  const externalMongo = env.MONGODB_URI || undefined;
  const externalS3 = s3SettingsFromEnv(env);
  const binaries = await ensureServerBinaries({ env, log });

  const root = await fs.mkdtemp(path.join(os.tmpdir(), "edgeclip-services-"));
  guardDir(root);
  const mongo = externalMongo === undefined ? await ferretDb(root, binaries.ferretdb) : undefined;
  const s3 = externalS3 === undefined ? await versityGw(root, binaries.versitygw) : undefined;
  const started = [mongo, s3].filter((server) => server !== undefined);

  const stopAll = async () => {
    await Promise.allSettled(started.map((server) => server.stop()));
    await fs.rm(root, { recursive: true, force: true });
    releaseDir(root);
  };
  const startedAt = Date.now();
  const results = await Promise.allSettled(started.map((server) => server.startOnFreePort()));
  const failure = results.find((result) => result.status === "rejected");
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  if (started.length > 0) log(`Local servers ready in ${Date.now() - startedAt} ms (data in ${root})`);

  const control =
    (server: ManagedServer | undefined, what: string, action: "start" | "stop" | "pause" | "resume") => async () => {
      if (server === undefined)
        throw new Error(`Cannot ${action} ${what}: it is external (set by env), not started here`);
      await server[action]();
    };
  return {
    mongodbUri: externalMongo ?? `mongodb://127.0.0.1:${mongo?.port}/`,
    s3: externalS3 ?? { endpoint: `http://127.0.0.1:${s3?.port}`, ...LOCAL_S3_CREDENTIALS, forcePathStyle: true },
    external: { mongodb: externalMongo !== undefined, s3: externalS3 !== undefined },
    stopMongo: control(mongo, "MongoDB", "stop"),
    startMongo: control(mongo, "MongoDB", "start"),
    stopS3: control(s3, "S3", "stop"),
    startS3: control(s3, "S3", "start"),
    pauseMongo: control(mongo, "MongoDB", "pause"),
    resumeMongo: control(mongo, "MongoDB", "resume"),
    pauseS3: control(s3, "S3", "pause"),
    resumeS3: control(s3, "S3", "resume"),
    stop: stopAll,
  };
}

async function ferretDb(root: string, binary: string | undefined): Promise<ManagedServer> {
  const data = path.join(root, "mongo", "data");
  const state = path.join(root, "mongo", "state");
  await fs.mkdir(data, { recursive: true });
  await fs.mkdir(state, { recursive: true });
  return new ManagedServer({
    name: "ferretdb",
    command: required(binary, "ferretdb"),
    args: (port) => [
      "--handler=sqlite",
      `--sqlite-url=file:${data}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${state}`,
      "--debug-addr=-",
      "--telemetry=disable",
    ],
    ready: (port) => mongoAnswers(`mongodb://127.0.0.1:${port}/`),
    logFile: path.join(root, "ferretdb.log"),
  });
}

async function versityGw(root: string, binary: string | undefined): Promise<ManagedServer> {
  const data = path.join(root, "s3", "data");
  await fs.mkdir(data, { recursive: true });
  const { accessKeyId, secretAccessKey } = LOCAL_S3_CREDENTIALS;
  return new ManagedServer({
    name: "versitygw",
    command: required(binary, "versitygw"),
    args: (port) => [
      "--port",
      `127.0.0.1:${port}`,
      "--access",
      accessKeyId,
      "--secret",
      secretAccessKey,
      "posix",
      data,
    ],
    ready: (port) => httpAnswers(`http://127.0.0.1:${port}/`),
    logFile: path.join(root, "versitygw.log"),
  });
}

function required(binary: string | undefined, name: string): string {
  if (binary === undefined) throw new ServicesSetupError(`no ${name} binary was provided`);
  return binary;
}

/**
 * S3 settings from S3_* env vars, or undefined when S3_ENDPOINT is not set: the endpoint, path style and region
 * with the origin's own rules, plus the keys (the origin itself uses the AWS credential chain). Reports every
 * problem at once.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3Settings | undefined {
  if (!env.S3_ENDPOINT) return undefined;
  const problems: string[] = [];
  let endpoint: S3EndpointConfig | undefined;
  try {
    endpoint = loadS3EndpointConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId) problems.push("S3_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID) is not set");
  if (!secretAccessKey) problems.push("S3_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY) is not set");
  if (problems.length > 0 || !endpoint?.s3Endpoint || !accessKeyId || !secretAccessKey) {
    throw new ServicesSetupError(`S3_ENDPOINT is set but the S3 settings are incomplete:\n- ${problems.join("\n- ")}`);
  }
  return {
    endpoint: endpoint.s3Endpoint,
    region: endpoint.region,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: endpoint.s3ForcePathStyle,
  };
}

export function s3ClientConfig(s3: S3Settings): S3ClientConfig {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
}

/** The serializable view, for vitest's provide/inject and for printing. */
export function servicesInfo(services: LocalServicesInfo): LocalServicesInfo {
  return { mongodbUri: services.mongodbUri, s3: { ...services.s3 }, external: { ...services.external } };
}

/** Creates the bucket; succeeds when it already exists and is ours. */
export async function createBucket(services: Pick<LocalServicesInfo, "s3">, name: string): Promise<void> {
  const client = new S3Client(s3ClientConfig(services.s3));
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if (err instanceof BucketAlreadyOwnedByYou) return;
    // Some servers say "exists" for our own bucket too; if we can reach it, it is usable.
    if (err instanceof BucketAlreadyExists) {
      await client.send(new HeadBucketCommand({ Bucket: name }));
      return;
    }
    throw err;
  } finally {
    client.destroy();
  }
}
