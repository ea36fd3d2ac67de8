// `npm run warm -- --popular N`: the N clips the origin was asked for most often, read from the
// request_count the origin keeps on each audio_clips record, as warm items for runWarm.
import type { Db, Document } from "mongodb";
import { canonicalPath, clipPath, clipRequestFromKey, parseClipUrl, type ClipRequest } from "../../core/index.js";
import { CLIP_POPULARITY_KEYS } from "../../origin/catalog/db-schema.js";
import type { DbSetupTarget } from "../catalog/db-setup.js";
import { catalogTarget } from "../episodes/target.js";
import type { WarmItem } from "./warm-list.js";

export interface PopularItem extends WarmItem {
  requestCount: number;
}

/** MONGODB_URI (with MONGODB_DB, CLIPS_COLLECTION) when set, else the running `npm start` stack. */
export async function popularTarget(env: NodeJS.ProcessEnv): Promise<{ target: DbSetupTarget; describe: string }> {
  const catalog = await catalogTarget(env);
  if (!catalog) {
    throw new Error(
      "No clip records to rank: set MONGODB_URI (and MONGODB_DB) to the deployment's database, " +
        "or start the local stack with `npm start`.",
    );
  }
  return { target: catalog.db, describe: catalog.local ? "the local stack of `npm start`" : "MONGODB_URI" };
}

/**
 * The request a record stands for. Its s3_key holds the range that was asked for (a clip clamped at the
 * episode's end is recorded with the clamped end but stored under the requested one, which is also the
 * URL players use) and the precise flag; the record's fields are the fallback for keys named otherwise.
 */
export function recordRequest(record: Document): ClipRequest {
  const key = typeof record.s3_key === "string" ? record.s3_key : "";
  const fromKey = clipRequestFromKey(key);
  if (fromKey) return fromKey;
  const start = Number(record.clip_start_ms);
  const fromFields = clipPath(String(record.episode_id), {
    start_time_ms: start,
    duration_ms: Number(record.clip_end_ms) - start,
  });
  return parseClipUrl(new URL(fromFields, "http://edge"));
}

/**
 * The top `limit` records by request_count (ties: most recently requested first). The sort is the
 * clip_popularity_idx created by db:setup, so the server reads `limit` index entries rather than every
 * record. Records never counted (made before the counter existed) are left out rather than ranked last.
 */
export async function popularClips(
  db: Db,
  collection: string,
  limit: number,
): Promise<{ items: PopularItem[]; errors: string[] }> {
  const records = await db
    .collection(collection)
    .find(
      { request_count: { $gte: 1 } },
      { projection: { _id: 0, episode_id: 1, clip_start_ms: 1, clip_end_ms: 1, s3_key: 1, request_count: 1 } },
    )
    .sort({ ...CLIP_POPULARITY_KEYS })
    .limit(limit)
    .toArray();
  const items: PopularItem[] = [];
  const errors: string[] = [];
  for (const [i, record] of records.entries()) {
    try {
      const request = recordRequest(record);
      items.push({ line: i + 1, request, path: canonicalPath(request), requestCount: Number(record.request_count) });
    } catch (err) {
      errors.push(
        `rank ${i + 1}: ${err instanceof Error ? err.message : String(err)} ` +
          `(record ${JSON.stringify({ episode_id: record.episode_id, s3_key: record.s3_key })})`,
      );
    }
  }
  return { items, errors };
}
