import { createHash } from "node:crypto";
import type { Step } from "../../../core/index.js";
import { clipKey, isMiss, need, type ClipContext, type StepDeps } from "../context.js";

export const upload = (deps: StepDeps): Step<ClipContext> => ({
  name: "upload",
  when: isMiss,
  async run(ctx) {
    const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
    const { bytes, container } = need(ctx.cut, "the cut");
    // One SHA-256 for three checks: S3's of the object, the PUT's signature (which would otherwise hash the
    // bytes itself), and, in a bytes answer, the Worker's ETag and the checksum R2 checks.
    ctx.sha256 = createHash("sha256").update(bytes).digest("hex");
    ctx.stored = await deps.store().put(clipKey(ctx), bytes, { startMs, endMs, clamped }, container, ctx.sha256);
    ctx.log.stored = ctx.stored;
  },
});
