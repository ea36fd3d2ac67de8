import { endedEarly, type Step } from "../../../core/index.js";
import { newMeter } from "../../sources/s3-source.js";
import { isMiss, need, type ClipContext, type StepDeps } from "../context.js";

export const cut = (deps: StepDeps): Step<ClipContext> => ({
  name: "cut",
  when: isMiss,
  async run(ctx) {
    const extent = need(ctx.extent, "the extent");
    const meter = newMeter();
    try {
      ctx.cut = await deps.cutter().cut({
        episode: need(ctx.episode, "the episode"),
        startMs: extent.startMs,
        endMs: extent.endMs,
        precise: ctx.clip.request.precise,
        ...(ctx.clip.request.format ? { format: ctx.clip.request.format } : {}),
        deadline: ctx.deadline,
        marginMs: ctx.marginMs,
        meter,
      });
    } finally {
      Object.assign(ctx.log, { source_bytes_read: meter.bytes, source_requests: meter.requests });
    }
    ctx.extent = endedEarly(extent, ctx.cut.audioEndMs);
    Object.assign(ctx.log, { cut_method: ctx.cut.method, clip_bytes: ctx.cut.bytes.length, ...ctx.cut.detail });
  },
});
