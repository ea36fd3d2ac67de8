import { CLIP_CACHE_CONTROL, ClipError, parseEpisodePath, type EpisodeRequest, type Layer } from "../../core/index.js";
import { strongEtag } from "../clip/clip.js";
import type { ClipDeps, RequestStamp } from "../clip/context.js";
import { etagMatches } from "../http/audio-response.js";
import { LAYER_HEADER } from "../http/http.js";
import type { EpisodeFetcher } from "./episode-origin.js";

export type EpisodeDeps = Pick<ClipDeps, "cache" | "limits" | "waitUntil" | "log"> & { fetchEpisode: EpisodeFetcher };

const CONTENT_TYPE = "application/json; charset=utf-8";

/** A waveform the origin has not built may cost a whole decode: charged like a new clip. */
async function charge(request: Request, deps: EpisodeDeps): Promise<void> {
  const key = request.headers.get("cf-connecting-ip") ?? "unknown";
  for (const { limiter, periodS } of deps.limits) {
    if (!(await limiter.limit({ key })).success) {
      throw new ClipError(
        "rate_limited",
        `Too many new waveforms requested from this address; try again in ${periodS} seconds`,
        {
          retryAfterS: periodS,
        },
      );
    }
  }
}

/** A cacheable answer with the clip rules: immutable, strong ETag, 304 on If-None-Match, no body for HEAD. */
export function cachedAnswer(
  request: Request,
  bytes: ArrayBuffer,
  etag: string,
  layer: Layer,
  startedAt: number,
  contentType = CONTENT_TYPE,
): Response {
  const headers = new Headers({
    "content-type": contentType,
    "cache-control": CLIP_CACHE_CONTROL,
    etag,
    [LAYER_HEADER]: layer,
    "server-timing": `edge;dur=${Date.now() - startedAt};desc="${layer}"`,
  });
  if (etagMatches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  headers.set("content-length", String(bytes.byteLength));
  return new Response(request.method === "HEAD" ? null : bytes, { status: 200, headers });
}

/** An episode's JSON as the edge holds it: the bytes, their strong ETag and the layer that had them. */
export interface EpisodeJson {
  bytes: ArrayBuffer;
  etag: string;
  layer: Layer;
}

/**
 * The edge cache under the canonical path, else the signed origin call, whose answer is cached as it is
 * (with a strong ETag of its bytes). Errors are never cached. Share pages read facts and peaks through here.
 */
export async function episodeJson(
  request: Request,
  episode: EpisodeRequest,
  deps: EpisodeDeps,
  stamp: RequestStamp,
): Promise<EpisodeJson> {
  const key = new Request(new URL(request.url).origin + episode.canonicalPath);
  const hit = await deps.cache.match(key);
  if (hit?.status === 200) {
    const bytes = await hit.arrayBuffer();
    const etag = hit.headers.get("etag");
    if (etag && etag === (await strongEtag(bytes))) return { bytes, etag, layer: "edge-cache" };
  }
  if (episode.resource === "waveform") await charge(request, deps);
  const fetched = await deps.fetchEpisode(episode, stamp.requestId);
  const etag = await strongEtag(fetched.bytes);
  const stored = new Response(fetched.bytes.slice(0), {
    headers: { "content-type": CONTENT_TYPE, "cache-control": CLIP_CACHE_CONTROL, etag },
  });
  deps.waitUntil(
    deps.cache.put(key, stored).catch((err: unknown) => {
      deps.log({ level: "warn", msg: "edge cache fill failed", requestId: stamp.requestId, error: String(err) });
    }),
  );
  return { bytes: fetched.bytes, etag, layer: fetched.built ? "generated" : "origin-hit" };
}

/** `/api/v1/episodes/{id}` and `/waveform`, with the clip rules: immutable, strong ETag, 304, HEAD. */
export async function handleEpisode(request: Request, deps: EpisodeDeps, stamp: RequestStamp): Promise<Response> {
  const episode = parseEpisodePath(new URL(request.url).pathname);
  const { bytes, etag, layer } = await episodeJson(request, episode, deps, stamp);
  return cachedAnswer(request, bytes, etag, layer, stamp.startedAt);
}
