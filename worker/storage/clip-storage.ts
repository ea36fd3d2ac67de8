import { CLIP_CACHE_CONTROL, CLIP_CONTAINERS, containerOfType } from "../../core/index.js";
import { clipFromMetadata, clipMetadata, type Clip } from "../clip/clip.js";

/**
 * The two storage layers in front of the origin. The edge cache stores a plain 200 with the metadata as
 * headers (the Cache API refuses to store a 206, and answers a Range against the 200 itself: edge-cache-read.ts);
 * R2 stores the same bytes under the S3 key.
 */
export const EDGE_CACHE_HEADER_PREFIX = "x-edgeclip-";
const HEADER_PREFIX = EDGE_CACHE_HEADER_PREFIX;

export interface EdgeCache {
  match(key: Request): Promise<Response | undefined>;
  put(key: Request, response: Response): Promise<void>;
}

/** `body`: the clip's bytes, or a stream of exactly `size` of them (an R2 hit's copy, #15). */
export async function writeEdgeCache(
  cache: EdgeCache,
  key: Request,
  clip: Omit<Clip, "bytes">,
  size: number,
  body: BodyInit,
): Promise<void> {
  const headers = new Headers({
    "content-type": CLIP_CONTAINERS[clip.container].contentType,
    "cache-control": CLIP_CACHE_CONTROL,
    "content-length": String(size),
    etag: clip.etag,
  });
  for (const [name, value] of Object.entries(clipMetadata(clip, size))) headers.set(HEADER_PREFIX + name, value);
  await cache.put(key, new Response(body, { status: 200, headers }));
}

/** An R2 object read whole and checked against its recorded hash (objects R2 cannot vouch for). */
export async function readR2Verified(object: R2ObjectBody): Promise<Clip | undefined> {
  const bytes = await object.arrayBuffer();
  // R2 objects can be written by anyone with the bucket (copies from S3, operators): their bytes are checked
  // against the recorded hash (~1 ms for a 30 s clip) before being served and copied into the edge cache.
  const container = containerOfType(object.httpMetadata?.contentType);
  return clipFromMetadata(bytes, (name) => object.customMetadata?.[name], container, { verifyEtag: true });
}

/** With the bytes' SHA-256, R2 refuses a damaged upload and keeps the checksum, so reads need not hash (#15). */
export async function writeR2(bucket: R2Bucket, key: string, clip: Clip): Promise<void> {
  await bucket.put(key, clip.bytes, {
    httpMetadata: { contentType: CLIP_CONTAINERS[clip.container].contentType, cacheControl: CLIP_CACHE_CONTROL },
    customMetadata: clipMetadata(clip, clip.bytes.byteLength),
    ...(clip.sha256 ? { sha256: clip.sha256 } : {}),
  });
}
