import type { Step } from "../../../core/index.js";
import { readR2 } from "../../storage/clip-storage.js";
import { notFound, type ClipDeps, type EdgeClipContext } from "../context.js";

export const r2 = ({ bucket, log }: ClipDeps): Step<EdgeClipContext> => ({
  name: "r2",
  when: notFound,
  async run(ctx) {
    try {
      const clip = await readR2(bucket, ctx.clip.objectKey);
      if (clip) ctx.found = { clip, layer: "r2" };
    } catch (err) {
      // The mirror is an optimization: when it fails, the origin still has the clip.
      log({ level: "warn", msg: "r2 read failed, asking the origin", requestId: ctx.requestId, error: String(err) });
    }
  },
});
