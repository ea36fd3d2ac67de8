import type { Clip } from "./clip.js";

/** Bytes [start, end] of a clip, both inclusive, as a Range names them. */
export interface ByteSpan {
  start: number;
  end: number;
}

/**
 * A clip as a response sends it: its facts and size, and its bytes only when they are sent. The edge cache's
 * body stays a stream the runtime moves (the whole clip, or the range the Cache API cut itself), so a hit
 * never copies the clip into the isolate's memory (#15); layers that hold the bytes already slice them.
 */
export interface ServedClip extends Omit<Clip, "bytes"> {
  size: number;
  /** The body of the whole clip, or of `span`. */
  open(span?: ByteSpan): Promise<BodyInit>;
  /** No body will be sent (HEAD, 304, 416): let go of a stream held open. */
  release(): void;
}

export function servedFromBytes({ bytes, ...facts }: Clip): ServedClip {
  return {
    ...facts,
    size: bytes.byteLength,
    open: async (span) => (span ? bytes.slice(span.start, span.end + 1) : bytes),
    release: () => {},
  };
}
