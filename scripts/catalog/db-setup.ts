// Where the catalog is, read with the origin's schema (origin/config.ts), and the schema setup of `npm run db:setup`.
import { MongoClient, type Db } from "mongodb";
import { loadCatalogConfig, type CatalogConfig } from "../../origin/config/catalog-config.js";
import { setupDatabase, type CollectionNames } from "../../origin/catalog/db-schema.js";
import { LOCAL_BUCKETS } from "../services/env-lines.js";

export interface DbSetupTarget {
  uri: string;
  dbName: string;
  names: CollectionNames;
  /** EPISODE_FIELD_*: where an episode document keeps its id, audio location and duration (dotted paths allowed). */
  fields: CatalogConfig["episodeFields"];
  /** RAW_BUCKET and CLIPS_BUCKET, else the local setup's buckets. */
  buckets: { raw: string; clips: string };
}

/** Reads MONGODB_URI, MONGODB_DB, the *_COLLECTION and EPISODE_FIELD_* names and the buckets, as the origin does. */
export function dbSetupTargetFromEnv(env: NodeJS.ProcessEnv): DbSetupTarget {
  if (!env.MONGODB_URI) throw new Error("MONGODB_URI is not set (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/)");
  const config = loadCatalogConfig(env, LOCAL_BUCKETS);
  return {
    uri: config.mongodbUri,
    dbName: config.mongodbDb,
    names: { ...config.collections, episodeIdField: config.episodeFields.id },
    fields: config.episodeFields,
    buckets: { raw: config.rawBucket, clips: config.clipsBucket },
  };
}

/** Runs `fn` with the catalog database, closing the connection after. */
export async function withCatalog<T>(target: DbSetupTarget, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client.db(target.dbName));
  } finally {
    await client.close();
  }
}

export async function runDbSetup(target: DbSetupTarget, log: (line: string) => void): Promise<void> {
  const client = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect().catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`MongoDB timeout: could not reach the server at MONGODB_URI within 5 s (${reason})`, {
        cause: err,
      });
    });
    await setupDatabase(client.db(target.dbName), target.names, log);
  } finally {
    await client.close();
  }
}
