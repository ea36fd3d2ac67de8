import type { Step } from "../../../core/index.js";
import { writeEdgeCache, writeR2 } from "../../storage/clip-storage.js";
import { cacheKey } from "../cache-key.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";

/** The layers in front of the one that answered are filled after the response has gone out. */
export const fillEdgeCache = ({ cache }: ClipDeps): Step<EdgeClipContext> => ({
  name: "fill-edge-cache",
  // Joiners leave the fills to their leader, who got the same bytes.
  when: (ctx) => ctx.found?.layer === "r2" || (ctx.lead !== undefined && ctx.found !== undefined),
  run(ctx) {
    const clip = ctx.found?.clip;
    if (clip)
      ctx.fills.push(["edge-cache", writeEdgeCache(cache, cacheKey(ctx), clip, clip.bytes.byteLength, clip.bytes)]);
  },
});

export const fillR2 = ({ bucket }: ClipDeps): Step<EdgeClipContext> => ({
  name: "fill-r2",
  when: (ctx) => ctx.lead !== undefined && ctx.found !== undefined,
  run(ctx) {
    if (ctx.found)
      ctx.fills.push(["r2", writeR2(bucket, ctx.clip.objectKeys[ctx.found.clip.container], ctx.found.clip)]);
  },
});

/**
 * Hands the fills to waitUntil. allSettled, not all: once the waitUntil promise settles the runtime may
 * cancel I/O still under way, so one failed write (R2 down) must not cut the other short. The in-flight
 * answer stays shared until they settle, so a request arriving before the cache holds the clip joins it.
 */
export const handOffFills = ({ waitUntil, log }: ClipDeps): Step<EdgeClipContext> => ({
  name: "hand-off-fills",
  when: (ctx) => ctx.fills.length > 0,
  run(ctx) {
    const fills = ctx.fills;
    const filled = Promise.allSettled(fills.map(([, write]) => write));
    ctx.lead?.releaseAfter(filled);
    waitUntil(
      filled.then((results) =>
        results.forEach((result, i) => {
          if (result.status === "rejected") {
            const target = fills[i]?.[0];
            log({
              level: "warn",
              msg: `filling ${target} failed`,
              requestId: ctx.requestId,
              error: String(result.reason),
            });
          }
        }),
      ),
    );
  },
});
