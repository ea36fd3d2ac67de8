import type { Step } from "../../../core/index.js";
import { readEdgeCache } from "../../storage/clip-storage.js";
import { cacheKey } from "../cache-key.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";

export const edgeCache = ({ cache }: ClipDeps): Step<EdgeClipContext> => ({
  name: "edge-cache",
  async run(ctx) {
    const clip = await readEdgeCache(cache, cacheKey(ctx));
    if (clip) ctx.found = { clip, layer: "edge-cache" };
  },
});
