import type { Step } from "../../../core/index.js";
import type { ClipContext, StepDeps } from "../context.js";

/**
 * Starts reading the episode's seek index without waiting for it, so on a miss the read overlaps the store
 * check and the catalog lookup. On a hit it is one small GET spent for nothing, and none at all once the
 * container holds the index. Only authenticated requests get here.
 */
export const prefetchIndex = (deps: StepDeps): Step<ClipContext> => ({
  name: "prefetch-index",
  run(ctx) {
    deps.cutter().prepare?.(ctx.clip.request.episodeId);
  },
});
