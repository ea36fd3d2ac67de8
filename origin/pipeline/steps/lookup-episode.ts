import { ClipError, clipExtent, type Step } from "../../../core/index.js";
import { isMiss, type ClipContext, type StepDeps } from "../context.js";

export const lookupEpisode = (deps: StepDeps): Step<ClipContext> => ({
  name: "lookup-episode",
  when: isMiss,
  async run(ctx) {
    const { episodeId } = ctx.clip.request;
    const episode = await deps.catalog().find(episodeId);
    if (!episode) throw new ClipError("episode_not_found", `Episode ${episodeId} not found`);
    ctx.extent = clipExtent(ctx.clip.request, episode.durationMs);
    ctx.episode = episode;
  },
});
