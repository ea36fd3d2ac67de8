import { ClipError } from "../errors.js";
import type { ClipContainer } from "./clip-answer.js";
import { DEFAULT_LIMITS, parseClipRequest, type ClipLimits, type ClipRequest } from "./clip-request.js";

/** Where clips live on the edge and behind API Gateway; every path below is built from these. */
export const CLIP_PATH_PREFIX = "/api/v1/audio_clips/";
/** The same route in itty-router's spelling (the Worker) and API Gateway's (serverless.yml, the local stand-in). */
export const CLIP_ROUTE = `${CLIP_PATH_PREFIX}:episode_id`;
export const CLIP_ROUTE_KEY = `GET ${CLIP_PATH_PREFIX}{episode_id}`;

/** Extracts the episode id from `/api/v1/audio_clips/{episode_id}`; anything else is not a clip path. */
export function episodeIdFromPath(pathname: string): string {
  if (!pathname.startsWith(CLIP_PATH_PREFIX)) {
    throw new ClipError("not_found", `No such endpoint; clips live under ${CLIP_PATH_PREFIX}{episode_id}`);
  }
  const rest = pathname.slice(CLIP_PATH_PREFIX.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    throw new ClipError("invalid_parameter", "episode_id is not valid percent-encoding", { param: "episode_id" });
  }
  if (decoded === "" || decoded.includes("/")) {
    throw new ClipError("invalid_parameter", "episode_id must be one path segment", { param: "episode_id" });
  }
  return decoded;
}

/** Parses a full request URL (path and query) into the canonical request. */
export function parseClipUrl(url: URL, limits: ClipLimits = DEFAULT_LIMITS): ClipRequest {
  return parseClipRequest(episodeIdFromPath(url.pathname), url.searchParams, limits);
}

/**
 * The canonical query: fixed order, no leading zeros, always `duration_ms`, `precise=1` only when on,
 * `format=mp3` only when asked for.
 */
export function canonicalQuery(req: ClipRequest): string {
  const flags = `${req.precise ? "&precise=1" : ""}${req.format ? `&format=${req.format}` : ""}`;
  return `start_time_ms=${req.startMs}&duration_ms=${req.durationMs}${flags}`;
}

/** The canonical path and query, the identity of a clip for caches, signatures and keys. */
export function canonicalPath(req: ClipRequest): string {
  return `${CLIP_PATH_PREFIX}${req.episodeId}?${canonicalQuery(req)}`;
}

/**
 * A clip path from loose parts (operator input, database records): the id is percent-encoded, never
 * trusted, so parsing the result is what validates it. Extra parameters (e.g. `response=json`) are kept.
 */
export function clipPath(episodeId: string, params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return `${CLIP_PATH_PREFIX}${encodeURIComponent(episodeId)}?${query.toString()}`;
}

/** A request once parsed: its canonical path and object keys computed once, for every later step. */
export interface ParsedClip {
  readonly request: ClipRequest;
  readonly canonicalPath: string;
  /** Where the clip is stored, by container: which one holds it depends on the source's codec. */
  readonly objectKeys: Readonly<Record<ClipContainer, string>>;
}
