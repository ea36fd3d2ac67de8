import { decodeSeekIndex, encodeSeekIndex, type SeekIndex } from "../../core/mp3/index.js";
import { decodeAacIndex, encodeAacIndex, isAacIndex } from "../../core/mp4/aac-index-codec.js";
import type { AacIndex } from "../../core/mp4/aac-index.js";
import type { AudioSource } from "../sources/audio-source.js";
import type { SourceVersion } from "../sources/s3-source.js";

/**
 * An episode's index, whichever codec its audio is. Both kinds live in the one per-episode document
 * (StoredIndexes) and start with their own magic, so one read finds either and a re-encoded episode (an
 * MP3 replaced by an M4A) simply finds an index of the other kind, which its source tag then rejects.
 */
export type MediaIndex = { kind: "mp3"; index: SeekIndex } | { kind: "aac"; index: AacIndex };

export function encodeMediaIndex(media: MediaIndex): Uint8Array {
  return media.kind === "mp3" ? encodeSeekIndex(media.index) : encodeAacIndex(media.index);
}

/** Throws RangeError on bytes that are neither index (corrupt, or an older format: rebuilt). */
export function decodeMediaIndex(bytes: Uint8Array): MediaIndex {
  return isAacIndex(bytes)
    ? { kind: "aac", index: decodeAacIndex(bytes) }
    : { kind: "mp3", index: decodeSeekIndex(bytes) };
}

/** The source an index describes, written into the index so a moved episode is never cut with it. */
export function sourceTag(source: AudioSource, etag: string): string {
  return JSON.stringify({ source: source.label, etag });
}

export function describes(index: MediaIndex["index"], source: AudioSource): SourceVersion | undefined {
  try {
    const tag = JSON.parse(index.sourceTag) as { source?: unknown; etag?: unknown };
    if (tag.source !== source.label || typeof tag.etag !== "string") return undefined;
    return { size: index.sourceSize, etag: tag.etag };
  } catch {
    return undefined;
  }
}
