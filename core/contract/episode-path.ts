import { ClipError } from "../errors.js";
import { parseEpisodeId } from "./clip-request.js";

/** Public facts and waveform peaks of one episode, on the edge and behind API Gateway. */
export const EPISODE_PATH_PREFIX = "/api/v1/episodes/";
export const EPISODE_ROUTE = `${EPISODE_PATH_PREFIX}:episode_id`;
export const WAVEFORM_ROUTE = `${EPISODE_PATH_PREFIX}:episode_id/waveform`;
export const EPISODE_ROUTE_KEY = `GET ${EPISODE_PATH_PREFIX}{episode_id}`;
export const WAVEFORM_ROUTE_KEY = `GET ${EPISODE_PATH_PREFIX}{episode_id}/waveform`;

export type EpisodeResource = "facts" | "waveform";

/** A parsed episode request: the canonical path is what caches key on and what the origin signature covers. */
export interface EpisodeRequest {
  readonly episodeId: string;
  readonly resource: EpisodeResource;
  readonly canonicalPath: string;
}

export function episodePath(episodeId: string, resource: EpisodeResource): string {
  return `${EPISODE_PATH_PREFIX}${episodeId}${resource === "waveform" ? "/waveform" : ""}`;
}

/**
 * `/api/v1/episodes/{id}` or `/api/v1/episodes/{id}/waveform`; the query is ignored (no parameter changes
 * the answer), so every spelling shares one cache entry.
 */
export function parseEpisodePath(pathname: string): EpisodeRequest {
  if (!pathname.startsWith(EPISODE_PATH_PREFIX)) {
    throw new ClipError("not_found", `No such endpoint; episodes live under ${EPISODE_PATH_PREFIX}{episode_id}`);
  }
  const parts = pathname.slice(EPISODE_PATH_PREFIX.length).split("/");
  const [rawId = "", tail, ...more] = parts;
  if (more.length > 0 || (tail !== undefined && tail !== "waveform")) {
    throw new ClipError("not_found", `No such endpoint; try ${EPISODE_PATH_PREFIX}{episode_id}/waveform`);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawId);
  } catch {
    throw new ClipError("invalid_parameter", "episode_id is not valid percent-encoding", { param: "episode_id" });
  }
  const episodeId = parseEpisodeId(decoded);
  const resource: EpisodeResource = tail === "waveform" ? "waveform" : "facts";
  return { episodeId, resource, canonicalPath: episodePath(episodeId, resource) };
}

/** The public facts of an episode (`GET /api/v1/episodes/{id}`): what a page needs to show and slice it. */
export interface EpisodeFacts {
  episode_id: string;
  title: string | null;
  show: string | null;
  duration_ms: number;
  /** An http(s) image URL from the catalog, for og:image; null when the episode has none. */
  image_url: string | null;
  /** Path of the waveform peaks on the same host. */
  waveform_path: string;
}
