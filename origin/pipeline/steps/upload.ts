import { createHash } from "node:crypto";
import type { Step } from "../../../core/index.js";
import { clipKey, isMiss, need, type ClipContext, type StepDeps } from "../context.js";
import { sendsBytes } from "./presign.js";

export const upload = (deps: StepDeps): Step<ClipContext> => ({
  name: "upload",
  when: isMiss,
  async run(ctx) {
    const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
    const { bytes, container } = need(ctx.cut, "the cut");
    const put = deps.store().put(clipKey(ctx), bytes, { startMs, endMs, clamped }, container);
    // Hashed while the PUT is on the wire (about a millisecond of CPU for a 30 s clip), for a bytes answer only:
    // the Worker's ETag and the checksum R2 checks, which the Worker would otherwise compute after it arrives.
    if (sendsBytes(ctx)) ctx.sha256 = createHash("sha256").update(bytes).digest("hex");
    ctx.stored = await put;
    ctx.log.stored = ctx.stored;
  },
});
