import type { Step } from "../../../core/index.js";
import { leads, type ClipDeps, type EdgeClipContext } from "../context.js";

/** The leader asks the origin; everyone who joined gets the same answer. */
export const origin = (deps: ClipDeps): Step<EdgeClipContext> => ({
  name: "origin",
  when: leads,
  async run(ctx) {
    const lead = ctx.lead;
    if (!lead) return;
    const ask = ctx.mirrorMissed ? { mirrorMissed: true } : {};
    const { clip, layer } = await lead.settle(deps.origin(ctx.clip.request, ctx.requestId, ask));
    ctx.found = { clip, layer };
  },
});
