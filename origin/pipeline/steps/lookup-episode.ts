import { ClipError, clipExtent, type Step } from "../../../core/index.js";
import type { Episode } from "../../catalog/episode-catalog.js";
import { isMiss, type ClipContext, type StepDeps } from "../context.js";

/**
 * Starts the catalog read without waiting for it, so on a miss it overlaps the store check (one round trip
 * less, #15). On a hit its result is dropped unread, and so is its failure: a hit needs no catalog, and a
 * MongoDB that is down or frozen must not touch it.
 */
export const prefetchEpisode = (deps: StepDeps): Step<ClipContext> => ({
  name: "prefetch-episode",
  run(ctx) {
    const read = Promise.resolve().then(() => deps.catalog().find(ctx.clip.request.episodeId));
    read.catch(() => {});
    ctx.episodeRead = read;
  },
});

export const lookupEpisode = (deps: StepDeps): Step<ClipContext> => ({
  name: "lookup-episode",
  when: isMiss,
  async run(ctx) {
    const { episodeId } = ctx.clip.request;
    const episode: Episode | undefined = await (ctx.episodeRead ?? deps.catalog().find(episodeId));
    if (!episode) throw new ClipError("episode_not_found", `Episode ${episodeId} not found`);
    ctx.extent = clipExtent(ctx.clip.request, episode.durationMs);
    ctx.episode = episode;
  },
});
