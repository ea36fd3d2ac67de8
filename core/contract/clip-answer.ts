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
  /** The clip's Content-Type: `audio/mpeg` (MP3) or `audio/mp4` (M4A, from AAC sources). */
  content_type?: string;
}

/** Object metadata stored with each clip, so a cache hit can answer without the database. */
export const CLIP_METADATA = {
  startMs: "clip-start-ms",
  endMs: "clip-end-ms",
  clamped: "clamped",
} as const;

export const CLIP_CACHE_CONTROL = "public, max-age=31536000, immutable";
export const CLIP_CONTENT_TYPE = "audio/mpeg";

/**
 * What a clip file is: MP3 frames for MP3 sources, AAC packets in M4A for AAC sources (copied, never
 * re-encoded). Each has its own object-key extension and Content-Type.
 */
export const CLIP_CONTAINERS = {
  mp3: { extension: ".mp3", contentType: CLIP_CONTENT_TYPE },
  m4a: { extension: ".m4a", contentType: "audio/mp4" },
} as const;
export type ClipContainer = keyof typeof CLIP_CONTAINERS;

/** The container a stored Content-Type names; anything unknown (older objects) is MP3. */
export function containerOfType(contentType: string | null | undefined): ClipContainer {
  return contentType?.split(";")[0]?.trim().toLowerCase() === CLIP_CONTAINERS.m4a.contentType ? "m4a" : "mp3";
}

/**
 * Which layer served a clip: the edge isolate's memory (its hottest clips), the edge cache, the R2 mirror, the
 * origin's stored copy, or a fresh cut.
 */
export const LAYERS = ["edge-memory", "edge-cache", "r2", "origin-hit", "generated"] as const;
export type Layer = (typeof LAYERS)[number];

export function isLayer(value: unknown): value is Layer {
  return typeof value === "string" && (LAYERS as readonly string[]).includes(value);
}

/** Response and request headers that are part of the public contract (lower case, as Headers reports them). */
export const CLIP_HEADERS = {
  /** Which layer served the clip (a Layer). */
  layer: "x-edgeclip-layer",
  /** "true" when the clip was cut at the episode's end. */
  clamped: "x-edgeclip-clamped",
  /** The edge's request id, sent to the origin so both log lines carry it. */
  requestId: "x-request-id",
} as const;
