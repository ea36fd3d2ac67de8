// `npm run db:setup`: creates the collections and indexes the origin needs in the MongoDB at MONGODB_URI.
// Safe to run any number of times.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import { DEFAULT_COLLECTION_NAMES, setupDatabase, type CollectionNames } from "../origin/catalog/db-schema.js";

export interface DbSetupTarget {
  uri: string;
  dbName: string;
  names: CollectionNames;
}

/** Reads MONGODB_URI, MONGODB_DB, CLIPS_COLLECTION, EPISODE_COLLECTION and EPISODE_FIELD_ID. */
export function dbSetupTargetFromEnv(env: NodeJS.ProcessEnv): DbSetupTarget {
  const uri = env.MONGODB_URI;
  if (!uri) throw new Error("MONGODB_URI is not set (e.g. MONGODB_URI=mongodb://127.0.0.1:27017/)");
  return {
    uri,
    dbName: env.MONGODB_DB || "edgeclip",
    names: {
      clips: env.CLIPS_COLLECTION || DEFAULT_COLLECTION_NAMES.clips,
      episodes: env.EPISODE_COLLECTION || DEFAULT_COLLECTION_NAMES.episodes,
      episodeIdField: env.EPISODE_FIELD_ID || DEFAULT_COLLECTION_NAMES.episodeIdField,
    },
  };
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

async function main(): Promise<void> {
  await runDbSetup(dbSetupTargetFromEnv(process.env), (line) => console.log(line));
  console.log("db:setup done");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`db:setup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
