import {
  CLIP_CACHE_CONTROL,
  clipExtent,
  episodePath,
  parseShareUrl,
  sliceWaveform,
  type EpisodeFacts,
  type EpisodeRequest,
  type WaveformJson,
} from "../../core/index.js";
import { strongEtag } from "../clip/clip.js";
import type { RequestStamp } from "../clip/context.js";
import type { WorkerConfig } from "../config/env.js";
import { cachedAnswer, episodeJson, type EpisodeDeps } from "../episodes/handle-episode.js";
import { HTML_TYPE } from "./html.js";
import { shareLinks, verifyShareSignature } from "./share-links.js";
import { sharePage } from "./share-page.js";

export type ShareDeps = EpisodeDeps & { config: WorkerConfig };

const episodeReq = (episodeId: string, resource: EpisodeRequest["resource"]): EpisodeRequest => ({
  episodeId,
  resource,
  canonicalPath: episodePath(episodeId, resource),
});

async function readJson<T>(request: Request, req: EpisodeRequest, deps: ShareDeps, stamp: RequestStamp): Promise<T> {
  const { bytes } = await episodeJson(request, req, deps, stamp);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** The episode's public facts, through the same edge cache and origin call as `/api/v1/episodes/{id}`. */
export const episodeFactsFor = (request: Request, episodeId: string, deps: ShareDeps, stamp: RequestStamp) =>
  readJson<EpisodeFacts>(request, episodeReq(episodeId, "facts"), deps, stamp);

/**
 * `/c/{episode_id}?start_time_ms&duration_ms`: parsed and signed like the clip, drawn from the episode's
 * cached facts and peaks, and cached itself under its canonical URL like a clip (the signature joins the key
 * when signing is on, because the page embeds it).
 */
export async function handleShare(request: Request, deps: ShareDeps, stamp: RequestStamp): Promise<Response> {
  const url = new URL(request.url);
  const share = parseShareUrl(url, deps.config.limits);
  await verifyShareSignature(deps.config, share.clip, url.searchParams);
  const links = shareLinks(url.origin, share.clip, url.searchParams, deps.config.signingKeys !== undefined);
  const key = new Request(url.origin + share.canonicalPath + links.signature);
  const hit = await deps.cache.match(key);
  const hitEtag = hit?.status === 200 ? hit.headers.get("etag") : null;
  if (hit && hitEtag)
    return cachedAnswer(request, await hit.arrayBuffer(), hitEtag, "edge-cache", stamp.startedAt, HTML_TYPE);

  const { episodeId } = share.clip;
  const facts = await episodeFactsFor(request, episodeId, deps, stamp);
  const extent = clipExtent(share.clip, facts.duration_ms);
  const wave = await readJson<WaveformJson>(request, episodeReq(episodeId, "waveform"), deps, stamp);
  const html = sharePage({
    facts,
    ...extent,
    clipUrl: links.clip,
    downloadUrl: links.download,
    shareUrl: links.share,
    embedUrl: links.embed,
    oembedUrl: links.oembed,
    peaks: sliceWaveform(wave, extent.startMs, extent.endMs),
    embed: share.embed,
  });
  const bytes = new TextEncoder().encode(html).buffer as ArrayBuffer;
  const etag = await strongEtag(bytes);
  const stored = new Response(bytes.slice(0), {
    headers: { "content-type": HTML_TYPE, "cache-control": CLIP_CACHE_CONTROL, etag },
  });
  deps.waitUntil(deps.cache.put(key, stored).catch(() => {}));
  return cachedAnswer(request, bytes, etag, "generated", stamp.startedAt, HTML_TYPE);
}
