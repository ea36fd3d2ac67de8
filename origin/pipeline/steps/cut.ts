import { clipExtent, endedEarly, type Step } from "../../../core/index.js";
import type { Episode } from "../../catalog/episode-catalog.js";
import type { CutOutcome, CutRequest } from "../../cut/clip-cutter.js";
import type { ClipExtent } from "../../../core/index.js";
import { newMeter } from "../../sources/s3-source.js";
import { isMiss, need, type ClipContext, type StepDeps } from "../context.js";
import { lookInStore } from "./check-store.js";

function cutRequest(ctx: ClipContext, episode: Episode, extent: ClipExtent): CutRequest {
  ctx.meter ??= newMeter();
  return {
    episode,
    startMs: extent.startMs,
    endMs: extent.endMs,
    precise: ctx.clip.request.precise,
    ...(ctx.clip.request.format ? { format: ctx.clip.request.format } : {}),
    deadline: ctx.deadline,
    marginMs: ctx.marginMs,
    meter: ctx.meter,
  };
}

/**
 * Starts the cut as soon as the catalog answers, without waiting for the store check (#15): a miss then waits
 * for the slower of the HEAD and the catalog read plus the ranged GET, not for their sum. Only the cheap
 * kinds are started (frames of an MP3, packets of an AAC source, whose index is known); on a hit it is
 * dropped, one ranged GET of about the clip's size spent for nothing, which is why nothing more expensive
 * (FFmpeg) is ever started this way.
 */
export const speculateCut = (deps: StepDeps): Step<ClipContext> => ({
  name: "speculate-cut",
  when: (ctx) => ctx.episodeRead !== undefined && !ctx.clip.request.precise && !ctx.clip.request.format,
  run(ctx) {
    const cutter = deps.cutter();
    if (!cutter.speculate || !ctx.episodeRead) return;
    const speculate = cutter.speculate.bind(cutter);
    // A container that cut this episode before (its index is in memory) need not wait for the catalog: the cut
    // starts from what the catalog said then, beside the catalog read, and is dropped if the answer changed.
    const recalled = cutter.recall?.(ctx.clip.request.episodeId);
    const extent = recalled ? extentOrUndefined(ctx, recalled) : undefined;
    if (recalled && extent) {
      ctx.speculatedFor = recalled;
      ctx.speculated = speculate(cutRequest(ctx, recalled, extent)).catch(() => undefined);
      return;
    }
    ctx.speculated = ctx.episodeRead
      .then((episode) =>
        episode ? speculate(cutRequest(ctx, episode, clipExtent(ctx.clip.request, episode.durationMs))) : undefined,
      )
      .catch(() => undefined);
  },
});

/** The extent by an episode's catalog answer; undefined when it is a 416, which the lookup step answers. */
function extentOrUndefined(ctx: ClipContext, episode: Episode): ClipExtent | undefined {
  try {
    return clipExtent(ctx.clip.request, episode.durationMs);
  } catch {
    return undefined;
  }
}

/** Whether a cut made by `then` is the cut the catalog's answer `now` asks for: the same audio, the same extent. */
function sameCut(then: Episode, now: Episode): boolean {
  return then.durationMs === now.durationMs && JSON.stringify(then.audio) === JSON.stringify(now.audio);
}

/** The speculative cut, if there is one and it was cut from what the catalog says now. */
async function keptSpeculation(ctx: ClipContext, episode: Episode): Promise<CutOutcome | undefined> {
  if (ctx.speculatedFor && !sameCut(ctx.speculatedFor, episode)) {
    ctx.log.speculation = "dropped: the catalog changed";
    return undefined;
  }
  return ctx.speculated;
}

export const cut = (deps: StepDeps): Step<ClipContext> => ({
  name: "cut",
  when: isMiss,
  async run(ctx) {
    const extent = need(ctx.extent, "the extent");
    const episode = need(ctx.episode, "the episode");
    const req = cutRequest(ctx, episode, extent);
    try {
      const speculated = await keptSpeculation(ctx, episode);
      if (!speculated && ctx.storeCheck === "deferred") {
        // Nothing cheap was cut (no index yet, or it failed), so this cut may be FFmpeg's: look in the store first.
        ctx.log.store_check = "before the cut";
        await lookInStore(deps, ctx);
        if (ctx.found) return;
      }
      // The speculative cut used the same catalog answer (or an equal one), so the same extent; anything it did
      // not do is done here.
      ctx.cut = speculated ?? (await deps.cutter().cut(req));
      if (speculated) ctx.log.cut_started = ctx.speculatedFor ? "before the catalog read" : "before the store check";
    } finally {
      Object.assign(ctx.log, { source_bytes_read: req.meter.bytes, source_requests: req.meter.requests });
    }
    ctx.extent = endedEarly(extent, ctx.cut.audioEndMs);
    Object.assign(ctx.log, { cut_method: ctx.cut.method, clip_bytes: ctx.cut.bytes.length, ...ctx.cut.detail });
  },
});
