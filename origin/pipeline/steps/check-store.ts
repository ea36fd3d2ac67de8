import { clipObjectKeys, type Step } from "../../../core/index.js";
import type { ClipContext, StepDeps } from "../context.js";

/** A clip already in the store is a hit: the steps that make one are skipped. */
export const checkStore = (deps: StepDeps): Step<ClipContext> => ({
  name: "check-store",
  async run(ctx) {
    const found = await deps.store().findAny(clipObjectKeys(ctx.clip.request));
    if (found) ctx.found = found;
  },
});
