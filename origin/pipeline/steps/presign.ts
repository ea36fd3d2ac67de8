import { CLIP_CONTAINERS, INLINE_CLIP_MAX_BYTES, type ClipFacts, type Step } from "../../../core/index.js";
import { clipKey, need, type ClipContext, type StepDeps } from "../context.js";

/**
 * The facts of the answer. A miss answers with its own cut even when another request stored the clip first
 * (the PUT's 412): the same canonical request always yields the same bytes, so the object there is this one,
 * and a second HEAD would only say so again.
 */
function facts(ctx: ClipContext): ClipFacts {
  const req = ctx.clip.request;
  const generation_time_ms = Date.now() - ctx.startedAt;
  if (ctx.found) {
    return {
      cache_hit: true,
      generation_time_ms,
      // Objects written by this origin carry their facts; fall back to the request for any that do not.
      clip_start_ms: ctx.found.startMs ?? req.startMs,
      clip_end_ms: ctx.found.endMs ?? req.endMs,
      file_size_bytes: ctx.found.sizeBytes,
      clamped_to_episode_end: ctx.found.clamped ?? false,
      content_type: CLIP_CONTAINERS[ctx.found.container].contentType,
    };
  }
  const { startMs, endMs, clamped } = need(ctx.extent, "the extent");
  const cut = need(ctx.cut, "the cut");
  return {
    cache_hit: false,
    generation_time_ms,
    clip_start_ms: startMs,
    clip_end_ms: endMs,
    file_size_bytes: cut.bytes.length,
    clamped_to_episode_end: clamped,
    content_type: CLIP_CONTAINERS[cut.container].contentType,
  };
}

/** A clip cut by this request that fits the response limit goes back in the answer, to a caller that takes it. */
export const sendsBytes = (ctx: ClipContext): boolean =>
  ctx.takesBytes && ctx.found === undefined && ctx.cut !== undefined && ctx.cut.bytes.length <= INLINE_CLIP_MAX_BYTES;

/** The answer: the clip's bytes themselves, so the Worker need not fetch from S3 what was just in memory here. */
export const inlineBytes: Step<ClipContext> = {
  name: "inline-bytes",
  when: sendsBytes,
  run(ctx) {
    const sha256 = ctx.sha256 ? { sha256: ctx.sha256 } : {};
    ctx.result = { kind: "bytes", facts: { ...facts(ctx), ...sha256 }, bytes: need(ctx.cut, "the cut").bytes };
  },
};

/** The answer: a pre-signed URL of the stored object and its facts. */
export const presign = (deps: StepDeps): Step<ClipContext> => ({
  name: "presign",
  when: (ctx) => !sendsBytes(ctx),
  async run(ctx) {
    const url = await deps.store().presignClip(clipKey(ctx));
    ctx.result = { kind: "url", body: { clip_url: url, ...facts(ctx) } };
  },
});
