import type { Step } from "../../../core/index.js";
import { clipKey, isMiss, need, type ClipContext, type StepDeps } from "../context.js";

export const upload = (deps: StepDeps): Step<ClipContext> => ({
  name: "upload",
  when: isMiss,
  async run(ctx) {
    const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
    const { bytes, container } = need(ctx.cut, "the cut");
    ctx.stored = await deps.store().put(clipKey(ctx), bytes, { startMs, endMs, clamped }, container);
    ctx.log.stored = ctx.stored;
  },
});
