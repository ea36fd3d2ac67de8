import { CLIP_CONTAINERS, ClipError, type ClipJsonResponse, type Step } from "../../../core/index.js";
import type { StoredClip } from "../../store/clip-store.js";
import { clipKey, need, type ClipContext, type StepDeps } from "../context.js";

function answer(ctx: ClipContext, url: string, clip: StoredClip, cacheHit: boolean): ClipJsonResponse {
  const req = ctx.clip.request;
  return {
    clip_url: url,
    cache_hit: cacheHit,
    generation_time_ms: Date.now() - ctx.startedAt,
    // Objects written by this origin carry their facts; fall back to the request for any that do not.
    clip_start_ms: clip.startMs ?? req.startMs,
    clip_end_ms: clip.endMs ?? req.endMs,
    file_size_bytes: clip.sizeBytes,
    clamped_to_episode_end: clip.clamped ?? false,
    content_type: CLIP_CONTAINERS[clip.container].contentType,
  };
}

/** What was stored: the hit's object, this cut, or (when another request stored it first) the object there. */
async function storedClip(ctx: ClipContext, deps: StepDeps): Promise<StoredClip | undefined> {
  if (ctx.found) return ctx.found;
  if (ctx.stored === "existed") return deps.store().find(clipKey(ctx));
  const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
  const { bytes, container } = need(ctx.cut, "the cut");
  return { startMs, endMs, clamped, sizeBytes: bytes.length, container };
}

/** The answer: a pre-signed URL of the stored object and its facts. */
export const presign = (deps: StepDeps): Step<ClipContext> => ({
  name: "presign",
  async run(ctx) {
    const stored = await storedClip(ctx, deps);
    if (!stored)
      throw new ClipError("service_unavailable", "S3 unavailable: the stored clip vanished", { retryAfterS: 1 });
    const url = await deps.store().presignClip(clipKey(ctx));
    await ctx.counting;
    ctx.result = answer(ctx, url, stored, ctx.found !== undefined);
  },
});
