import { etagOfSha256, recordedFacts, type Clip } from "../clip/clip.js";
import type { ServedClip } from "../clip/served-clip.js";
import { containerOfType, toHex } from "../../core/index.js";
import { readR2Verified } from "./clip-storage.js";

/**
 * An R2 hit: streamed, with a second branch of the same bytes for the edge cache; or read whole and checked.
 * "rejected": an object is there but failed that check (truncated, altered, not ours), so not served.
 */
export type R2Read = { streamed: ServedClip; copy: ReadableStream<Uint8Array> } | { verified: Clip };
export type R2Lookup = R2Read | "rejected" | undefined;

/** Bytes [start, end] of a stream, passing the rest by (the cache's branch reads the whole body anyway). */
function sliceStream(body: ReadableStream<Uint8Array>, start: number, end: number): ReadableStream<Uint8Array> {
  let at = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const from = Math.max(start - at, 0);
        const to = Math.min(end + 1 - at, chunk.byteLength);
        if (from < to) controller.enqueue(chunk.subarray(from, to));
        at += chunk.byteLength;
      },
    }),
  );
}

/**
 * R2 vouches for an object's bytes when it holds the SHA-256 it checked on upload (writeR2 gives it) and that
 * hash is the ETag recorded beside it: then nothing needs hashing here and the body streams (#15). Objects
 * written by others (copies from S3, operators) carry no such checksum and are read whole and checked.
 */
function vouchedFacts(object: R2ObjectBody): Omit<Clip, "bytes"> | undefined {
  const sha256 = object.checksums.sha256;
  if (!sha256) return undefined;
  const container = containerOfType(object.httpMetadata?.contentType);
  const facts = recordedFacts((name) => object.customMetadata?.[name], object.size, container);
  return facts && facts.etag === etagOfSha256(toHex(sha256)) ? facts : undefined;
}

export async function readR2(bucket: R2Bucket, key: string): Promise<R2Lookup> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const facts = vouchedFacts(object);
  if (!facts) {
    const verified = await readR2Verified(object);
    return verified ? { verified } : "rejected";
  }
  const [toClient, copy] = object.body.tee();
  // The branches of a tee have no known length; a FixedLengthStream gives the response its Content-Length.
  const sized = (body: ReadableStream<Uint8Array>, length: number) => body.pipeThrough(new FixedLengthStream(length));
  const streamed: ServedClip = {
    ...facts,
    size: object.size,
    open: async (span) =>
      span
        ? sized(sliceStream(toClient, span.start, span.end), span.end - span.start + 1)
        : sized(toClient, object.size),
    // Only the client's branch: the edge cache's copy still reads the whole body.
    release: () => void toClient.cancel().catch(() => {}),
  };
  return { streamed, copy: sized(copy, object.size) };
}
