import { CLIP_CONTAINERS, type ClipContainer } from "./clip-answer.js";
import { parseEpisodeId, type ClipRequest } from "./clip-request.js";

export const CLIP_KEY_PREFIX = "audio_clips/";
/** Marks the key of a `format=mp3` clip. */
const AS_MP3 = ".as-mp3";

/**
 * The object key of a clip in S3 and in the R2 mirror. It is derived from the requested range and the
 * clip's container only, so a cache layer can look it up before anyone knows the episode's length; the
 * container follows the source's codec (MP3 or AAC in M4A), which only the origin learns, so a layer in
 * front looks under every container's key (clipObjectKeys). The episode id is validated to
 * `[A-Za-z0-9_-]`, so it can never contain `/` or `..` and escape its prefix.
 */
export function clipObjectKey(req: ClipRequest, container: ClipContainer = "mp3"): string {
  const base = `${CLIP_KEY_PREFIX}${req.episodeId}/${req.startMs}-${req.endMs}${req.precise ? ".precise" : ""}`;
  // format=mp3 has a key of its own: were it the plain MP3 key, a request without format for an AAC source
  // would find that re-encoded clip where its M4A belongs.
  return `${base}${req.format ? AS_MP3 : ""}${CLIP_CONTAINERS[container].extension}`;
}

/** The keys a clip may be stored under, one per container, in lookup order; `format=mp3` has only one. */
export function clipObjectKeys(req: ClipRequest): { container: ClipContainer; key: string }[] {
  const containers: ClipContainer[] = req.format ? [req.format] : (Object.keys(CLIP_CONTAINERS) as ClipContainer[]);
  return containers.map((container) => ({
    container,
    key: clipObjectKey(req, container),
  }));
}

/**
 * The prefix under which all clips of one episode live (for purges). It takes a raw id, so it
 * validates it: "" or ".." would make a purge prefix that reaches outside one episode.
 */
export function episodeClipPrefix(episodeId: string): string {
  return `${CLIP_KEY_PREFIX}${parseEpisodeId(episodeId)}/`;
}

const CLIP_KEY = /^audio_clips\/([^/]+)\/(\d{1,16})-(\d{1,16})(\.precise)?(?:(\.as-mp3\.mp3)|\.mp3|\.m4a)$/;

/**
 * The request a clip object key was written for (purges turn keys back into edge URLs), or undefined for a
 * key this code did not name. The inverse of clipObjectKey: the id is re-validated, never trusted.
 */
export function clipRequestFromKey(key: string): ClipRequest | undefined {
  const m = CLIP_KEY.exec(key);
  if (!m) return undefined;
  const [, rawId = "", start = "", end = "", precise, asMp3] = m;
  const startMs = Number(start);
  const endMs = Number(end);
  if (!Number.isSafeInteger(endMs) || endMs <= startMs) return undefined;
  let episodeId: string;
  try {
    episodeId = parseEpisodeId(rawId);
  } catch {
    return undefined;
  }
  const request = { episodeId, startMs, endMs, durationMs: endMs - startMs, precise: precise !== undefined };
  return asMp3 ? { ...request, format: "mp3" } : request;
}

export const WAVEFORM_PREFIX = "waveform/";

/** An episode's waveform peaks, beside its seek index in the clips bucket (and, like it, tied to the source's ETag). */
export function waveformKey(episodeId: string): string {
  return `${WAVEFORM_PREFIX}${parseEpisodeId(episodeId)}.json`;
}
