import { ClipError } from "../errors.js";
import { canonicalQuery } from "./clip-path.js";
import { DEFAULT_LIMITS, parseClipRequest, type ClipLimits, type ClipRequest } from "./clip-request.js";

/** Share pages: `/c/{episode_id}?start_time_ms=…&duration_ms=…`, the same parameters as the clip. */
export const SHARE_PATH_PREFIX = "/c/";
export const SHARE_ROUTE = `${SHARE_PATH_PREFIX}:episode_id`;
export const OEMBED_PATH = "/oembed";

export interface ShareRequest {
  clip: ClipRequest;
  /** The compact page an oEmbed or Twitter player frames (`embed=1`): a different page, so part of the identity. */
  embed: boolean;
  /** The page's identity for caches: every spelling of the same clip finds one entry. */
  canonicalPath: string;
}

export function sharePath(clip: ClipRequest, embed = false): string {
  return `${SHARE_PATH_PREFIX}${clip.episodeId}?${canonicalQuery(clip)}${embed ? "&embed=1" : ""}`;
}

/** Parses a share URL with the clip parser (its 400s), so a share link is valid exactly when its clip is. */
export function parseShareUrl(url: URL, limits: ClipLimits = DEFAULT_LIMITS): ShareRequest {
  if (!url.pathname.startsWith(SHARE_PATH_PREFIX)) {
    throw new ClipError("not_found", `No such page; share pages live under ${SHARE_PATH_PREFIX}{episode_id}`);
  }
  let id: string;
  try {
    id = decodeURIComponent(url.pathname.slice(SHARE_PATH_PREFIX.length));
  } catch {
    throw new ClipError("invalid_parameter", "episode_id is not valid percent-encoding", { param: "episode_id" });
  }
  const clip = parseClipRequest(id, url.searchParams, limits);
  const embed = url.searchParams.get("embed") === "1";
  return { clip, embed, canonicalPath: sharePath(clip, embed) };
}
