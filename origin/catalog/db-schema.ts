// The MongoDB collections and indexes the origin relies on, created idempotently (`npm run db:setup`).
import { isDeepStrictEqual } from "node:util";
import { MongoServerError, type Db, type Document } from "mongodb";

export interface CollectionNames {
  clips: string; // CLIPS_COLLECTION, default "audio_clips"
  episodes: string; // EPISODE_COLLECTION, default "episodes"
  seekIndexes: string; // SEEK_INDEX_COLLECTION, default "seek_indexes"
  episodeIdField: string; // EPISODE_FIELD_ID, default "episode_id"
}

export const DEFAULT_COLLECTION_NAMES: CollectionNames = {
  clips: "audio_clips",
  episodes: "episodes",
  seekIndexes: "seek_indexes",
  episodeIdField: "episode_id",
};

export const CLIP_LOOKUP_INDEX = "clip_lookup_idx";
export const EPISODE_LOOKUP_INDEX = "episode_lookup_idx";
/** The index documents of one episode (its head and the chunks of every build), for purges and clean-up. */
export const SEEK_INDEX_EPISODE_INDEX = "seek_index_episode_idx";
/**
 * `warm --popular N` asks for the N records with the highest request_count. Without this index that is a
 * scan of every clip record with an in-memory top-N sort; with it, N index entries. The price is one
 * index entry rewritten per counted request, on a document that request rewrites anyway.
 */
export const CLIP_POPULARITY_INDEX = "clip_popularity_idx";
export const CLIP_POPULARITY_KEYS = { request_count: -1, last_requested_at: -1 } as const;

const nonNegativeInteger = { bsonType: ["int", "long"], minimum: 0 };

export const CLIP_VALIDATOR: Document = {
  $jsonSchema: {
    bsonType: "object",
    required: ["episode_id", "clip_start_ms", "clip_end_ms", "s3_key"],
    properties: {
      episode_id: { bsonType: "string", minLength: 1 },
      clip_start_ms: nonNegativeInteger,
      clip_end_ms: nonNegativeInteger,
      s3_key: { bsonType: "string", minLength: 1 },
      generated_at: { bsonType: "date" },
      file_size_bytes: nonNegativeInteger,
      request_count: nonNegativeInteger,
      last_requested_at: { bsonType: "date" },
    },
  },
};

// MongoDB answers NotImplemented / CommandNotFound / InvalidOptions when a feature is missing; FerretDB 1.x
// answers NotImplemented (238) for both `create` with a validator and `collMod`.
const UNSUPPORTED_CODES = new Set([59, 72, 115, 238]);

/**
 * Creates the clips collection (with its $jsonSchema validator where the server supports validators), the
 * unique clip lookup index, the clip popularity index, the unique episode id index and the seek indexes'
 * episode index. Running it again changes nothing.
 */
export async function setupDatabase(db: Db, names: CollectionNames, log: (line: string) => void): Promise<void> {
  await ensureClipsCollection(db, names.clips, log);
  const clipLookup = { episode_id: 1, clip_start_ms: 1, clip_end_ms: 1 } as const;
  await ensureIndex(db, names.clips, clipLookup, CLIP_LOOKUP_INDEX, true, log);
  await ensureIndex(db, names.clips, CLIP_POPULARITY_KEYS, CLIP_POPULARITY_INDEX, false, log);
  await ensureIndex(db, names.episodes, { [names.episodeIdField]: 1 }, EPISODE_LOOKUP_INDEX, true, log);
  await ensureIndex(db, names.seekIndexes, { episode: 1 }, SEEK_INDEX_EPISODE_INDEX, false, log);
}

async function ensureClipsCollection(db: Db, name: string, log: (line: string) => void): Promise<void> {
  const [existing] = await db.listCollections({ name }, { nameOnly: false }).toArray();
  try {
    if (existing === undefined) {
      await db.createCollection(name, { validator: CLIP_VALIDATOR });
      log(`created collection ${db.databaseName}.${name} with its $jsonSchema validator`);
    } else if (!isDeepStrictEqual(existing.options?.validator, CLIP_VALIDATOR)) {
      await db.command({ collMod: name, validator: CLIP_VALIDATOR });
      log(`updated the $jsonSchema validator of ${db.databaseName}.${name}`);
    } else {
      log(`collection ${db.databaseName}.${name} and its validator are up to date`);
    }
  } catch (err) {
    if (!(err instanceof MongoServerError) || !UNSUPPORTED_CODES.has(Number(err.code))) throw err;
    log(`validators are not supported by this server (${err.codeName ?? err.code}); continuing without one`);
    if (existing === undefined) await createIfMissing(db, name);
  }
}

async function createIfMissing(db: Db, name: string): Promise<void> {
  try {
    await db.createCollection(name);
  } catch (err) {
    // NamespaceExists: another setup run created it a moment ago, which is what we wanted.
    if (!(err instanceof MongoServerError) || err.code !== 48) throw err;
  }
}

async function ensureIndex(
  db: Db,
  collection: string,
  keys: Readonly<Record<string, 1 | -1>>,
  name: string,
  unique: boolean,
  log: (line: string) => void,
): Promise<void> {
  try {
    // createIndex is a no-op when an identical index exists, and fails when one by that name differs.
    await db.collection(collection).createIndex({ ...keys }, { name, unique });
  } catch (err) {
    if (err instanceof MongoServerError && (err.code === 85 || err.code === 86)) {
      throw new Error(
        `${db.databaseName}.${collection} already has an index named ${name} with other keys or options; ` +
          `drop it or rename it, then run db:setup again (${err.message})`,
        { cause: err },
      );
    }
    throw err;
  }
  const fields = Object.entries(keys).map(([field, order]) => (order === 1 ? field : `${field} desc`));
  log(
    `${unique ? "unique index" : "index"} ${name} on ${db.databaseName}.${collection} (${fields.join(", ")}) is in place`,
  );
}
