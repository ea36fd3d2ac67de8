import type { Step } from "../../../core/index.js";
import { cacheUrl } from "../cache-key.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";
import { servedFromBytes } from "../served-clip.js";

/** A clip this isolate has been answering from the edge cache, served from its own copy (#15). */
export const edgeMemory = ({ hot }: ClipDeps): Step<EdgeClipContext> => ({
  name: "edge-memory",
  when: () => hot !== undefined,
  run(ctx) {
    const clip = hot?.get(cacheUrl(ctx));
    if (clip) ctx.cached = { clip: servedFromBytes(clip), layer: "edge-memory" };
  },
});
