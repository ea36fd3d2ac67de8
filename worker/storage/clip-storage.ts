import { CLIP_CACHE_CONTROL, CLIP_CONTAINERS, containerOfType } from "../../core/index.js";
import { clipFromMetadata, clipMetadata, type Clip } from "../clip/clip.js";

/**
 * The two storage layers in front of the origin. The edge cache stores a plain 200 with the metadata as
 * headers (the Cache API refuses 206 and Range is sliced by us); R2 stores the same bytes under the S3 key.
 */
const HEADER_PREFIX = "x-edgeclip-";

export interface EdgeCache {
  match(key: Request): Promise<Response | undefined>;
  put(key: Request, response: Response): Promise<void>;
}

export async function readEdgeCache(cache: EdgeCache, key: Request): Promise<Clip | undefined> {
  const hit = await cache.match(key);
  if (!hit || hit.status !== 200) return undefined;
  const bytes = await hit.arrayBuffer();
  const container = containerOfType(hit.headers.get("content-type"));
  return clipFromMetadata(bytes, (name) => hit.headers.get(HEADER_PREFIX + name), container);
}

export async function writeEdgeCache(cache: EdgeCache, key: Request, clip: Clip): Promise<void> {
  const headers = new Headers({
    "content-type": CLIP_CONTAINERS[clip.container].contentType,
    "cache-control": CLIP_CACHE_CONTROL,
    etag: clip.etag,
  });
  for (const [name, value] of Object.entries(clipMetadata(clip))) headers.set(HEADER_PREFIX + name, value);
  await cache.put(key, new Response(clip.bytes, { status: 200, headers }));
}

export async function readR2(bucket: R2Bucket, key: string): Promise<Clip | undefined> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const bytes = await object.arrayBuffer();
  // R2 objects can be written by anyone with the bucket (copies from S3, operators): their bytes are checked
  // against the recorded hash (~1 ms for a 30 s clip) before being served and copied into the edge cache.
  const container = containerOfType(object.httpMetadata?.contentType);
  return clipFromMetadata(bytes, (name) => object.customMetadata?.[name], container, { verifyEtag: true });
}

export async function writeR2(bucket: R2Bucket, key: string, clip: Clip): Promise<void> {
  await bucket.put(key, clip.bytes, {
    httpMetadata: { contentType: CLIP_CONTAINERS[clip.container].contentType, cacheControl: CLIP_CACHE_CONTROL },
    customMetadata: clipMetadata(clip),
  });
}
