/** The JSON answer of the origin (and, with an edge URL in `clip_url`, of the edge's JSON mode). */
export interface ClipJsonResponse {
  clip_url: string;
  cache_hit: boolean;
  generation_time_ms: number;
  clip_start_ms: number;
  /** Actual end: earlier than requested when the episode ends first. */
  clip_end_ms: number;
  file_size_bytes: number;
  /** True when the requested end was past the episode's end and the clip was cut there. */
  clamped_to_episode_end: boolean;
}

/** Object metadata stored with each clip, so a cache hit can answer without the database. */
export const CLIP_METADATA = {
  startMs: "clip-start-ms",
  endMs: "clip-end-ms",
  clamped: "clamped",
} as const;

export const CLIP_CACHE_CONTROL = "public, max-age=31536000, immutable";
export const CLIP_CONTENT_TYPE = "audio/mpeg";
