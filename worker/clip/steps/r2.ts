import { clipObjectKeys, type Step } from "../../../core/index.js";
import { writeEdgeCache } from "../../storage/clip-storage.js";
import { readR2, type R2Lookup, type R2Read } from "../../storage/r2-read.js";
import { cacheKey } from "../cache-key.js";
import { notFound, type ClipDeps, type EdgeClipContext } from "../context.js";

const usable = (r: R2Lookup): r is R2Read => r !== undefined && r !== "rejected";

/**
 * MP3 and M4A clips of one range have different keys, and only the origin knows the source's codec.
 * `empty`: no object under any key (one that failed its check was there: the clip is not new).
 */
async function readAnyKey(bucket: R2Bucket, ctx: EdgeClipContext): Promise<{ read?: R2Read; empty: boolean }> {
  const reads = await Promise.all(clipObjectKeys(ctx.clip.request).map(({ key }) => readR2(bucket, key)));
  const read = reads.find(usable);
  // Both exist only after a source changed codec; the other one's streams are let go unread.
  for (const other of reads)
    if (usable(other) && other !== read && "streamed" in other) {
      other.streamed.release();
      void other.copy.cancel().catch(() => {});
    }
  return { ...(read ? { read } : {}), empty: reads.every((r) => r === undefined) };
}

/**
 * A streamed hit (R2 vouches for the bytes) goes to the client and, through the other branch of the same
 * body, into the edge cache; a hit read whole and checked is filled by fill-edge-cache like an origin answer.
 */
export const r2 = ({ bucket, cache, log }: ClipDeps): Step<EdgeClipContext> => ({
  name: "r2",
  when: notFound,
  async run(ctx) {
    try {
      const { read, empty } = await readAnyKey(bucket, ctx);
      if (!read) {
        ctx.mirrorMissed = empty;
        return;
      }
      if ("verified" in read) {
        ctx.found = { clip: read.verified, layer: "r2" };
        return;
      }
      const { streamed, copy } = read;
      ctx.cached = { clip: streamed, layer: "r2" };
      ctx.fills.push(["edge-cache", writeEdgeCache(cache, cacheKey(ctx), streamed, streamed.size, copy)]);
    } catch (err) {
      // The mirror is an optimization: when it fails, the origin still has the clip.
      log({ level: "warn", msg: "r2 read failed, asking the origin", requestId: ctx.requestId, error: String(err) });
    }
  },
});
