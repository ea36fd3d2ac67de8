import type { Step } from "../../../core/index.js";
import { isMiss, need, type ClipContext, type StepDeps } from "../context.js";

export const upload = (deps: StepDeps): Step<ClipContext> => ({
  name: "upload",
  when: isMiss,
  async run(ctx) {
    const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
    const bytes = need(ctx.cut, "the cut").bytes;
    ctx.stored = await deps.store().put(ctx.clip.objectKey, bytes, { startMs, endMs, clamped });
    ctx.log.stored = ctx.stored;
  },
});
