import { decodeSeekIndex, encodeSeekIndex, type SeekIndex } from "../../core/mp3/index.js";
import { decodeAacIndex, encodeAacIndex, isAacIndex } from "../../core/mp4/aac-index-codec.js";
import type { AacIndex } from "../../core/mp4/aac-index.js";

/**
 * An episode's index, whichever codec its audio is. Both kinds live under the one per-episode key
 * (seekIndexKey) and start with their own magic, so one GET finds either and a re-encoded episode (an
 * MP3 replaced by an M4A) simply finds an index of the other kind, which its ETag then rejects.
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
