import { CLIP_CONTAINERS, type ClipJsonResponse } from "./clip-answer.js";

const CLIP_TYPES: readonly string[] = Object.values(CLIP_CONTAINERS).map((c) => c.contentType);

/**
 * How a fresh clip's bytes travel back to the Worker inside the origin's answer (#15), instead of the Worker
 * fetching from S3 what the origin just had in memory. The Worker asks with ORIGIN_ACCEPT; the origin answers
 * the audio itself (base64 in the Lambda payload, binary on the wire) with the description in
 * CLIP_FACTS_HEADER when it cut the clip and it fits, and its JSON with a pre-signed URL otherwise. Either
 * side may be older than the other: an origin that never sends bytes and a caller that never asks both work.
 */
export const ORIGIN_ACCEPT = `${CLIP_TYPES.join(", ")}, application/json;q=0.9`;

/**
 * Sent by the Worker when it looked the clip up in its R2 mirror and the mirror answered that it has none
 * (#15). Such a clip is almost surely new, so for a cheap cut (frames or packets copied) the origin skips
 * its store check and lets the conditional PUT find a clip another request stored ("existed"). Absent (a
 * JSON caller, a mirror that failed), the origin checks the store before cutting, as always.
 */
export const MIRROR_HEADER = "x-edgeclip-mirror";
export const MIRROR_MISSED = "missed";

/** The JSON answer's fields other than the URL, as one JSON header on a bytes answer. */
export const CLIP_FACTS_HEADER = "x-edgeclip-clip";

/**
 * The largest clip sent inside the answer. API Gateway and Lambda cap a response at 6 MB; base64 makes 4 MiB
 * about 5.6 MB, which leaves room for the headers. Larger clips keep the pre-signed URL.
 */
export const INLINE_CLIP_MAX_BYTES = 4 * 1024 * 1024;

export type ClipFacts = Omit<ClipJsonResponse, "clip_url">;

/** True when the caller takes the clip's bytes in the answer (it names a clip media type: MP3 or M4A). */
export function acceptsClipBytes(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => CLIP_TYPES.includes(part.split(";")[0]?.trim().toLowerCase() ?? ""));
}

/**
 * A bytes answer's facts: those of the JSON, and the SHA-256 of the bytes, computed by the origin for its PUT
 * (S3 checks the object against it). The Worker uses it as the clip's ETag instead of hashing the bytes again, and R2 checks
 * it when the Worker mirrors the clip: bytes damaged between the two are refused there, not mirrored.
 */
export interface InlineClipFacts extends ClipFacts {
  sha256?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function clipFactsHeader(facts: InlineClipFacts): string {
  const { cache_hit, generation_time_ms, clip_start_ms, clip_end_ms, file_size_bytes, clamped_to_episode_end } = facts;
  return JSON.stringify({
    cache_hit,
    generation_time_ms,
    clip_start_ms,
    clip_end_ms,
    file_size_bytes,
    clamped_to_episode_end,
    ...(facts.content_type ? { content_type: facts.content_type } : {}),
    ...(facts.sha256 ? { sha256: facts.sha256 } : {}),
  });
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The facts header read back; undefined when it is missing or not what the origin writes. */
export function parseClipFacts(header: string | null | undefined): InlineClipFacts | undefined {
  if (!header) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const f = value as Record<string, unknown>;
  if (!isCount(f.clip_start_ms) || !isCount(f.clip_end_ms) || !isCount(f.file_size_bytes)) return undefined;
  if (typeof f.cache_hit !== "boolean" || typeof f.clamped_to_episode_end !== "boolean") return undefined;
  return {
    cache_hit: f.cache_hit,
    generation_time_ms: isCount(f.generation_time_ms) ? f.generation_time_ms : 0,
    clip_start_ms: f.clip_start_ms,
    clip_end_ms: f.clip_end_ms,
    file_size_bytes: f.file_size_bytes,
    clamped_to_episode_end: f.clamped_to_episode_end,
    ...(typeof f.content_type === "string" ? { content_type: f.content_type } : {}),
    // Anything but a well-formed digest is dropped: the Worker then hashes the bytes itself.
    ...(typeof f.sha256 === "string" && SHA256_HEX.test(f.sha256) ? { sha256: f.sha256 } : {}),
  };
}
