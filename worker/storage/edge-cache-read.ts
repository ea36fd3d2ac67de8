import { containerOfType } from "../../core/index.js";
import { clipFromMetadata, recordedFacts, type Clip } from "../clip/clip.js";
import { servedFromBytes, type ServedClip } from "../clip/served-clip.js";
import { cacheRange, parseRange } from "../http/range.js";
import { EDGE_CACHE_HEADER_PREFIX, type EdgeCache } from "./clip-storage.js";

const header = (res: Response) => (name: string) => res.headers.get(EDGE_CACHE_HEADER_PREFIX + name);
const container = (res: Response) => containerOfType(res.headers.get("content-type"));

/** A stored 200 served as a stream: HEAD and 304 read none of it; a range the cache did not cut is sliced. */
function streamedWhole(hit: Response, key: Request): ServedClip | undefined {
  const size = Number(hit.headers.get("content-length"));
  const facts = Number.isSafeInteger(size) && hit.body ? recordedFacts(header(hit), size, container(hit)) : undefined;
  if (!facts) return undefined;
  return {
    ...facts,
    size,
    async open(span) {
      if (!span) return hit.body!;
      return (await readWhole(key, hit)).open(span);
    },
    release: () => void hit.body?.cancel().catch(() => {}),
  };
}

/** The 206 the cache cut itself for `range`: served as it is when it is the range we answer. */
function streamedRange(hit: Response, range: string, key: Request, cache: EdgeCache): ServedClip | undefined {
  const cut = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(hit.headers.get("content-range") ?? "");
  if (!cut || !hit.body) return undefined;
  const [start, end, size] = cut.slice(1).map(Number) as [number, number, number];
  const ours = parseRange(range, size);
  if (ours.kind !== "partial" || ours.start !== start || ours.end !== end) return undefined;
  const facts = recordedFacts(header(hit), size, container(hit));
  if (!facts) return undefined;
  return {
    ...facts,
    size,
    async open(span) {
      if (span && span.start === start && span.end === end) return hit.body!;
      hit.body?.cancel().catch(() => {});
      const whole = await cache.match(key);
      if (!whole) throw new Error("the edge cache entry went away while it was served");
      return (await readWhole(key, whole)).open(span);
    },
    release: () => void hit.body?.cancel().catch(() => {}),
  };
}

/** A stored 200's bytes read into memory, with the facts recorded beside them; undefined when incomplete. */
async function wholeClip(hit: Response): Promise<Clip | undefined> {
  return clipFromMetadata(await hit.arrayBuffer(), header(hit), container(hit));
}

/** The old way, for entries whose metadata is incomplete (an ETag to compute) or whose range was not cut. */
async function readWhole(key: Request, hit: Response): Promise<ServedClip> {
  const clip = await wholeClip(hit);
  if (!clip) throw new Error(`the edge cache entry for ${key.url} is not a whole clip`);
  return servedFromBytes(clip);
}

/** The whole clip from the edge cache, read into memory (a hot clip's copy: hot-clips.ts). */
export async function readEdgeCacheWhole(cache: EdgeCache, key: Request): Promise<Clip | undefined> {
  const hit = await cache.match(key);
  if (!hit || hit.status !== 200) {
    await hit?.body?.cancel().catch(() => {});
    return undefined;
  }
  return wholeClip(hit);
}

/**
 * The clip from the edge cache, with its bytes left in the cache until the response sends them (#15). A GET
 * with a single Range asks the cache for just those bytes. Undefined when there is no usable entry.
 */
export async function readEdgeCache(
  cache: EdgeCache,
  key: Request,
  request: Pick<Request, "method" | "headers">,
): Promise<ServedClip | undefined> {
  const range = request.method === "GET" ? cacheRange(request.headers.get("range")) : undefined;
  if (range !== undefined) {
    const ranged = await cache.match(new Request(key, { headers: { range } }));
    if (ranged?.status === 206) {
      const served = streamedRange(ranged, range, key, cache);
      if (served) return served;
    }
    await ranged?.body?.cancel().catch(() => {});
  }
  const hit = await cache.match(key);
  if (!hit || hit.status !== 200) return undefined;
  const served = streamedWhole(hit, key);
  if (served) return served;
  const clip = await wholeClip(hit);
  return clip ? servedFromBytes(clip) : undefined;
}
