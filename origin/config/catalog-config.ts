import {
  collectionsOf,
  episodeFieldsOf,
  KNOWN,
  ownSettings,
  parsed,
  settingsSchema,
  type OriginConfig,
} from "./config.js";

/** Where the catalog is and how its documents are named: what the operator commands share with the origin. */
export type CatalogConfig = Pick<OriginConfig, "mongodbUri" | "mongodbDb" | "collections" | "episodeFields"> & {
  rawBucket: string;
  clipsBucket: string;
};

// The origin's own rules and defaults for these settings; the buckets are the caller's fallbacks.
const catalogSchema = settingsSchema.pick({
  MONGODB_URI: true,
  MONGODB_DB: true,
  RAW_BUCKET: true,
  CLIPS_BUCKET: true,
  EPISODE_COLLECTION: true,
  CLIPS_COLLECTION: true,
  SEEK_INDEX_COLLECTION: true,
  EPISODE_FIELD_ID: true,
  EPISODE_FIELD_AUDIO_URL: true,
  EPISODE_FIELD_DURATION_MS: true,
  EPISODE_FIELD_TITLE: true,
  EPISODE_FIELD_SHOW: true,
  EPISODE_FIELD_IMAGE_URL: true,
});
const CATALOG_KEYS = new Set(Object.keys(catalogSchema.shape));

/**
 * The catalog settings for operator commands (db:setup, episodes, purge, warm), read with the origin's schema so
 * both sides agree on names and defaults. The origin's other settings (ORIGIN_SECRET, …) may be set and are
 * ignored; a misspelt one of its prefixes still fails.
 */
export function loadCatalogConfig(
  env: Record<string, string | undefined>,
  buckets: { raw: string; clips: string },
): CatalogConfig {
  const raw = ownSettings(env);
  for (const key of Object.keys(raw)) if (KNOWN.has(key) && !CATALOG_KEYS.has(key)) delete raw[key];
  raw.RAW_BUCKET ??= buckets.raw;
  raw.CLIPS_BUCKET ??= buckets.clips;
  const s = parsed(catalogSchema, raw, [], "catalog settings");
  return {
    mongodbUri: s.MONGODB_URI,
    mongodbDb: s.MONGODB_DB,
    rawBucket: s.RAW_BUCKET ?? buckets.raw,
    clipsBucket: s.CLIPS_BUCKET,
    collections: collectionsOf(s),
    episodeFields: episodeFieldsOf(s),
  };
}
