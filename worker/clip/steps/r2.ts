import { clipObjectKeys, type Step } from "../../../core/index.js";
import { readR2 } from "../../storage/clip-storage.js";
import { notFound, type ClipDeps, type EdgeClipContext } from "../context.js";

export const r2 = ({ bucket, log }: ClipDeps): Step<EdgeClipContext> => ({
  name: "r2",
  when: notFound,
  async run(ctx) {
    try {
      // MP3 and M4A clips of one range have different keys, and only the origin knows the source's codec.
      const clips = await Promise.all(clipObjectKeys(ctx.clip.request).map(({ key }) => readR2(bucket, key)));
      const clip = clips.find((c) => c !== undefined);
      if (clip) ctx.found = { clip, layer: "r2" };
    } catch (err) {
      // The mirror is an optimization: when it fails, the origin still has the clip.
      log({ level: "warn", msg: "r2 read failed, asking the origin", requestId: ctx.requestId, error: String(err) });
    }
  },
});
