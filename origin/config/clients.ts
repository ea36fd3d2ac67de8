import { S3Client } from "@aws-sdk/client-s3";
import { MongoClient } from "mongodb";
import { ClipError } from "../../core/index.js";
import type { OriginConfig } from "./config.js";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The two network clients, created on first use and then kept for the life of the container: a warm
 * Lambda reuses their connection pools. A cache hit only counts itself in MongoDB, without waiting long for it.
 */
export interface OriginClients {
  s3(): S3Client;
  mongo(): MongoClient;
  close(): Promise<void>;
}

export interface ClientOverrides {
  /** Local servers; in Lambda the credentials come from the function's role. */
  s3Credentials?: S3Credentials;
}

export function createClients(config: OriginConfig, overrides: ClientOverrides = {}): OriginClients {
  let s3: S3Client | undefined;
  let mongo: MongoClient | undefined;

  const getMongo = (): MongoClient => {
    if (mongo) return mongo;
    try {
      mongo = new MongoClient(config.mongodbUri, {
        appName: "edgeclip-origin",
        serverSelectionTimeoutMS: config.mongoServerSelectionTimeoutMs,
        connectTimeoutMS: config.mongoServerSelectionTimeoutMs,
        // One request at a time per Lambda container; a few connections cover the driver's monitors.
        maxPoolSize: 10,
      });
    } catch (err) {
      throw new ClipError("internal", `MONGODB_URI is not a usable connection string: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return mongo;
  };

  return {
    s3() {
      s3 ??= new S3Client({
        region: config.region,
        forcePathStyle: config.s3ForcePathStyle,
        ...(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint }),
        ...(overrides.s3Credentials === undefined ? {} : { credentials: overrides.s3Credentials }),
        maxAttempts: 3,
        // Fail fast on an unreachable endpoint instead of waiting for the Lambda deadline. Without
        // throwOnRequestTimeout the SDK only logs a warning at requestTimeout and waits on a frozen S3 forever.
        requestHandler: { connectionTimeout: 3000, requestTimeout: 15_000, throwOnRequestTimeout: true },
      });
      return s3;
    },
    mongo: getMongo,
    async close() {
      s3?.destroy();
      await mongo?.close();
      s3 = undefined;
      mongo = undefined;
    },
  };
}
