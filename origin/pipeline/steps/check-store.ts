import { clipObjectKeys, type Step } from "../../../core/index.js";
import type { ClipContext, StepDeps } from "../context.js";

/** Looks for the clip under each of its keys; found, it is a hit and the steps that make one are skipped. */
export async function lookInStore(deps: StepDeps, ctx: ClipContext): Promise<void> {
  const found = await deps.store().findAny(clipObjectKeys(ctx.clip.request));
  if (found) ctx.found = found;
}

/**
 * The store check waits for the cut when the Worker's mirror just missed and the cut is a cheap one already
 * under way (#15): such a clip is almost surely new, and its HEADs (one per container) would only compete
 * with the catalog read and the GET on the miss's critical path. The conditional PUT still finds a clip
 * another request stored (412, "existed"), whose bytes are these. Only while the store refuses overwrites: an
 * S3 without conditional writes would replace the stored object. An FFmpeg cut is never started unchecked
 * (the cut step looks first when nothing was speculated).
 */
function defers(deps: StepDeps, ctx: ClipContext): boolean {
  return ctx.mirrorMissed && ctx.speculated !== undefined && deps.store().refusesOverwrites;
}

export const checkStore = (deps: StepDeps): Step<ClipContext> => ({
  name: "check-store",
  async run(ctx) {
    if (defers(deps, ctx)) {
      ctx.storeCheck = "deferred";
      ctx.log.store_check = "deferred to the PUT";
      return;
    }
    await lookInStore(deps, ctx);
  },
});
