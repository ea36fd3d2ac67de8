// Everything derived from an episode's audio: clip objects in S3, its seek index, the R2 mirror, the edge
// cache and the audio_clips records. `npm run purge` removes them after a re-upload; `episodes remove`
// removes them and then the episode itself.
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { Db } from "mongodb";
import {
  canonicalPath,
  clipRequestFromKey,
  episodeClipPrefix,
  episodePath,
  parseEpisodeId,
  sharePath,
  waveformKey,
} from "../../core/index.js";
import { mongoWhere } from "../../origin/catalog/mongo-failure.js";
import { StoredIndexes } from "../../origin/store/stored-index.js";
import { runWrangler } from "../lib/wrangler.js";
import type { EpisodesTarget } from "./target.js";

export type Log = (line: string) => void;

/** A deployed edge, from CLOUDFLARE_* settings; absent locally. */
export interface CloudflareTarget {
  apiToken: string;
  accountId: string | undefined;
  zoneId: string | undefined;
  r2Bucket: string | undefined;
  edgeUrl: string | undefined;
  fetchFn?: typeof fetch;
}

export function cloudflareFromEnv(env: NodeJS.ProcessEnv): CloudflareTarget | undefined {
  if (!env.CLOUDFLARE_API_TOKEN) return undefined;
  return {
    apiToken: env.CLOUDFLARE_API_TOKEN,
    accountId: env.CLOUDFLARE_ACCOUNT_ID,
    zoneId: env.CLOUDFLARE_ZONE_ID,
    r2Bucket: env.R2_BUCKET,
    edgeUrl: env.EDGE_URL,
  };
}

async function clipKeys(target: EpisodesTarget, id: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await target.s3.send(
      new ListObjectsV2Command({ Bucket: target.clipsBucket, Prefix: episodeClipPrefix(id), ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** `audio_clips/EP/START-END[.precise][.as-mp3].mp3` or `….m4a` → the canonical clip path players request. */
export function clipPathForKey(key: string): string | undefined {
  const request = clipRequestFromKey(key);
  return request && canonicalPath(request);
}

/** Everything the edge caches for one clip object: the clip, and its share page and embed player (#17). */
function edgePathsForKey(key: string): string[] {
  const request = clipRequestFromKey(key);
  return request ? [canonicalPath(request), sharePath(request), sharePath(request, true)] : [];
}

async function cloudflare(cf: CloudflareTarget, method: string, url: string, body?: unknown): Promise<void> {
  const res = await (cf.fetchFn ?? fetch)(`https://api.cloudflare.com/client/v4${url}`, {
    method,
    headers: { authorization: `Bearer ${cf.apiToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // R2 answers 404 for an object that is already gone: that is the state we want.
  if (!res.ok && !(method === "DELETE" && res.status === 404)) {
    throw new Error(
      `Cloudflare API ${method} ${url.split("?")[0]} answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
  }
}

export interface PurgeReport {
  clipObjects: number;
  seekIndex: boolean;
  r2: "local" | "cloudflare" | "skipped";
  edgeCache: "cloudflare" | "skipped";
  records: number;
}

/** The local mirror through wrangler (a running `npm start`), else a deployed bucket through the Cloudflare API. */
async function purgeR2(
  target: EpisodesTarget,
  keys: string[],
  log: Log,
  cf: CloudflareTarget | undefined,
): Promise<PurgeReport["r2"]> {
  if (target.edgeState) {
    for (const key of keys) {
      await runWrangler([
        "r2",
        "object",
        "delete",
        `${target.clipsBucket}/${key}`,
        "--local",
        "--persist-to",
        target.edgeState,
      ]);
    }
    log(`removed them from the local R2 mirror`);
    return "local";
  }
  if (cf?.accountId && cf.r2Bucket) {
    for (const key of keys) {
      await cloudflare(
        cf,
        "DELETE",
        `/accounts/${cf.accountId}/r2/buckets/${cf.r2Bucket}/objects/${encodeURIComponent(key)}`,
      );
    }
    log(`removed them from R2 bucket ${cf.r2Bucket}`);
    return "cloudflare";
  }
  log("R2 mirror: skipped (set CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and R2_BUCKET to purge a deployed one)");
  return "skipped";
}

async function purgeEdgeCache(
  target: EpisodesTarget,
  id: string,
  keys: string[],
  log: Log,
  cf: CloudflareTarget | undefined,
): Promise<PurgeReport["edgeCache"]> {
  if (cf?.zoneId && cf.edgeUrl) {
    // The episode's facts and waveform are cached under their own paths, beside its clips. One request can
    // have two objects (an MP3 clip left from before the episode was re-encoded to AAC, and its M4A): one URL.
    const paths = [
      ...new Set([episodePath(id, "facts"), episodePath(id, "waveform"), ...keys.flatMap(edgePathsForKey)]),
    ];
    const urls = paths.map((p) => new URL(p, cf.edgeUrl).toString());
    // The purge-by-URL API takes at most 30 files per call.
    for (let i = 0; i < urls.length; i += 30) {
      await cloudflare(cf, "POST", `/zones/${cf.zoneId}/purge_cache`, { files: urls.slice(i, i + 30) });
    }
    log(`purged ${urls.length} URL(s) from the Cloudflare cache of ${cf.edgeUrl}`);
    return "cloudflare";
  }
  log(
    target.edgeState
      ? "edge cache: the local one cannot be purged from outside workerd; restart `npm start` to clear it"
      : "edge cache: skipped (set CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID and EDGE_URL to purge it)",
  );
  return "skipped";
}

/**
 * Removes what was made from the episode's audio. The id is validated first, so a bad one changes nothing;
 * S3 goes before the records so that a failure half-way never leaves a record pointing at nothing.
 */
export async function purgeEpisode(
  target: EpisodesTarget,
  db: Db,
  rawId: string,
  log: Log,
  cf: CloudflareTarget | undefined,
): Promise<PurgeReport> {
  const id = parseEpisodeId(rawId);
  const keys = await clipKeys(target, id);
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    await target.s3.send(new DeleteObjectsCommand({ Bucket: target.clipsBucket, Delete: { Objects: batch } }));
  }
  log(`removed ${keys.length} clip object(s) from s3://${target.clipsBucket}/${episodeClipPrefix(id)}`);
  const indexes = target.db.names.seekIndexes;
  const indexDocs = await new StoredIndexes(db.collection(indexes), mongoWhere(db.client)).remove(id);
  log(`removed the seek index (${indexDocs} document(s) in ${db.databaseName}.${indexes}; rebuilt on the next clip)`);
  await target.s3.send(new DeleteObjectCommand({ Bucket: target.clipsBucket, Key: waveformKey(id) }));
  log(`removed the waveform s3://${target.clipsBucket}/${waveformKey(id)} (rebuilt on its next request)`);

  const r2 = await purgeR2(target, keys, log, cf);
  const edgeCache = await purgeEdgeCache(target, id, keys, log, cf);

  const records = await db.collection(target.db.names.clips).deleteMany({ episode_id: id });
  log(`removed ${records.deletedCount} audio_clips record(s)`);
  return { clipObjects: keys.length, seekIndex: true, r2, edgeCache, records: records.deletedCount };
}
