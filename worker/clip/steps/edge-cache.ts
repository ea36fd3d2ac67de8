import type { Step } from "../../../core/index.js";
import { readEdgeCache } from "../../storage/edge-cache-read.js";
import { cacheKey } from "../cache-key.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";

export const edgeCache = ({ cache }: ClipDeps): Step<EdgeClipContext> => ({
  name: "edge-cache",
  async run(ctx) {
    const served = await readEdgeCache(cache, cacheKey(ctx), ctx.request);
    if (served) ctx.cached = { clip: served, layer: "edge-cache" };
  },
});
