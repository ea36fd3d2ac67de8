import { ClipError, clipExtent, clipLabel, parseShareUrl } from "../../core/index.js";
import type { RequestStamp } from "../clip/context.js";
import { json } from "../http/http.js";
import { esc } from "./html.js";
import { episodeFactsFor, type ShareDeps } from "./handle-share.js";
import { shareLinks, verifyShareSignature } from "./share-links.js";
import { PLAYER_SIZE } from "./share-page.js";

function bound(raw: string | null, fallback: number): number {
  return raw !== null && /^[0-9]{1,5}$/.test(raw) ? Math.min(fallback, Math.max(1, Number(raw))) : fallback;
}

/**
 * oEmbed (https://oembed.com) for share pages: a "rich" answer whose html frames the compact player. Only
 * this edge's own share URLs are described; anything else is a 404, as the spec asks.
 */
export async function handleOembed(request: Request, deps: ShareDeps, stamp: RequestStamp): Promise<Response> {
  const url = new URL(request.url);
  const format = url.searchParams.get("format");
  if (format !== null && format !== "json")
    throw new ClipError("invalid_parameter", "Only format=json is served", { param: "format" });
  const raw = url.searchParams.get("url");
  let target: URL | undefined;
  try {
    target = raw === null ? undefined : new URL(raw);
  } catch {
    target = undefined;
  }
  if (!target || target.origin !== url.origin) {
    throw new ClipError("not_found", "url must be a share page of this site (/c/{episode_id}?start_time_ms=…)");
  }
  const share = parseShareUrl(target, deps.config.limits);
  await verifyShareSignature(deps.config, share.clip, target.searchParams);
  const facts = await episodeFactsFor(request, share.clip.episodeId, deps, stamp);
  const extent = clipExtent(share.clip, facts.duration_ms);
  const links = shareLinks(url.origin, share.clip, target.searchParams, deps.config.signingKeys !== undefined);
  const width = bound(url.searchParams.get("maxwidth"), PLAYER_SIZE.width);
  const height = bound(url.searchParams.get("maxheight"), PLAYER_SIZE.height);
  const title = clipLabel(facts.title ?? facts.episode_id, extent.startMs, extent.endMs);
  return json(
    {
      version: "1.0",
      type: "rich",
      provider_name: "edgeclip",
      provider_url: url.origin,
      title,
      ...(facts.show ? { author_name: facts.show } : {}),
      ...(facts.image_url ? { thumbnail_url: facts.image_url } : {}),
      width,
      height,
      html:
        `<iframe src="${esc(links.embed)}" width="${width}" height="${height}" title="${esc(title)}" ` +
        `style="border:0" loading="lazy" allow="autoplay"></iframe>`,
    },
    200,
    { "cache-control": "public, max-age=86400" },
  );
}
