import type { Step } from "../../../core/index.js";
import { readEdgeCache, readEdgeCacheWhole } from "../../storage/edge-cache-read.js";
import type { EdgeCache } from "../../storage/clip-storage.js";
import type { HotClips } from "../../storage/hot-clips.js";
import { cacheKey } from "../cache-key.js";
import { notFound, type ClipDeps, type EdgeClipContext } from "../context.js";

/**
 * The copy a hot clip earns is read whole from the cache after the answer, with a lookup of its own: the hit
 * that earned it streams as every hit does, whatever range it asked for.
 */
async function copyToMemory(cache: EdgeCache, hot: HotClips, key: Request): Promise<void> {
  try {
    const clip = await readEdgeCacheWhole(cache, key);
    if (clip) hot.admit(key.url, clip);
    else hot.abandon(key.url);
  } catch (err) {
    hot.abandon(key.url);
    throw err;
  }
}

export const edgeCache = ({ cache, hot, waitUntil, log }: ClipDeps): Step<EdgeClipContext> => ({
  name: "edge-cache",
  when: notFound,
  async run(ctx) {
    const key = cacheKey(ctx);
    const served = await readEdgeCache(cache, key, ctx.request);
    if (!served) return;
    ctx.cached = { clip: served, layer: "edge-cache" };
    if (hot?.countCacheHit(key.url, served.size)) {
      waitUntil(
        copyToMemory(cache, hot, key).catch((err: unknown) =>
          log({
            level: "warn",
            msg: "copying a hot clip to memory failed",
            requestId: ctx.requestId,
            error: String(err),
          }),
        ),
      );
    }
  },
});
