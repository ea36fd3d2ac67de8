import { parseEpisodeId, type ClipRequest } from "./clip-request.js";

export const CLIP_KEY_PREFIX = "audio_clips/";

/**
 * The object key of a clip in S3 and in the R2 mirror. It is derived from the requested range only,
 * so a cache layer can look it up before anyone knows the episode's length. The episode id is
 * validated to `[A-Za-z0-9_-]`, so it can never contain `/` or `..` and escape its prefix.
 */
export function clipObjectKey(req: ClipRequest): string {
  return `${CLIP_KEY_PREFIX}${req.episodeId}/${req.startMs}-${req.endMs}${req.precise ? ".precise" : ""}.mp3`;
}

/**
 * The prefix under which all clips of one episode live (for purges). It takes a raw id, so it
 * validates it: "" or ".." would make a purge prefix that reaches outside one episode.
 */
export function episodeClipPrefix(episodeId: string): string {
  return `${CLIP_KEY_PREFIX}${parseEpisodeId(episodeId)}/`;
}

export const SEEK_INDEX_PREFIX = "seek_index/";

/**
 * Where an episode's MP3 seek index lives in the clips bucket. Not beside the audio in the raw bucket:
 * the origin only reads that bucket, and keeping it read-only is worth the small indirection. The index
 * records which source object (location and ETag) it describes, so a re-uploaded episode is detected.
 */
export function seekIndexKey(episodeId: string): string {
  return `${SEEK_INDEX_PREFIX}${parseEpisodeId(episodeId)}.ecmi`;
}

const CLIP_KEY = /^audio_clips\/([^/]+)\/(\d{1,16})-(\d{1,16})(\.precise)?\.mp3$/;

/**
 * The request a clip object key was written for (purges turn keys back into edge URLs), or undefined for a
 * key this code did not name. The inverse of clipObjectKey: the id is re-validated, never trusted.
 */
export function clipRequestFromKey(key: string): ClipRequest | undefined {
  const m = CLIP_KEY.exec(key);
  if (!m) return undefined;
  const [, rawId = "", start = "", end = "", precise] = m;
  const startMs = Number(start);
  const endMs = Number(end);
  if (!Number.isSafeInteger(endMs) || endMs <= startMs) return undefined;
  let episodeId: string;
  try {
    episodeId = parseEpisodeId(rawId);
  } catch {
    return undefined;
  }
  return { episodeId, startMs, endMs, durationMs: endMs - startMs, precise: precise !== undefined };
}

export const WAVEFORM_PREFIX = "waveform/";

/** An episode's waveform peaks, beside its seek index in the clips bucket (and, like it, tied to the source's ETag). */
export function waveformKey(episodeId: string): string {
  return `${WAVEFORM_PREFIX}${parseEpisodeId(episodeId)}.json`;
}
