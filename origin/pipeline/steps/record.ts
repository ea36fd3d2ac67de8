import type { Step } from "../../../core/index.js";
import { clipKey, isMiss, need, type ClipContext, type StepDeps } from "../context.js";

/** Only once the object exists may a record point at it. */
export const record = (deps: StepDeps): Step<ClipContext> => ({
  name: "record",
  when: isMiss,
  async run(ctx) {
    const { startMs, endMs } = need(ctx.extent, "the extent");
    ctx.recorded = await deps.catalog().recordClip({
      episodeId: ctx.clip.request.episodeId,
      startMs,
      endMs,
      s3Key: clipKey(ctx),
      sizeBytes: need(ctx.cut, "the cut").bytes.length,
    });
    ctx.log.recorded = ctx.recorded;
  },
});
