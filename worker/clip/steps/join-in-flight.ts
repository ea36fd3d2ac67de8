import type { Step } from "../../../core/index.js";
import { notFound, type ClipDeps, type EdgeClipContext } from "../context.js";

/**
 * An identical miss already on its way to the origin (or just answered, its fills not settled yet) is
 * joined: one cut, and the joiner is never charged. Otherwise this request claims the lead at once, before
 * anything waits, so the requests behind it join it.
 */
export const joinInFlight = ({ inFlight }: ClipDeps): Step<EdgeClipContext> => ({
  name: "join-in-flight",
  when: notFound,
  async run(ctx) {
    const shared = inFlight.join(ctx.clip.canonicalPath);
    if (!shared) {
      ctx.lead = inFlight.lead(ctx.clip.canonicalPath);
      return;
    }
    const { clip, layer } = await shared;
    ctx.found = { clip, layer };
  },
});
