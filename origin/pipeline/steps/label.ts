import type { Step } from "../../../core/index.js";
import { isMiss, need, type ClipContext, type StepDeps } from "../context.js";

/**
 * A new MP3 clip gets its ID3v2 label before it is stored, so every copy of it (S3, R2, the edge cache) carries
 * it. M4A clips are not labelled: an ID3 tag in front of an MP4 file breaks it.
 */
export const label = (deps: StepDeps): Step<ClipContext> => ({
  name: "label",
  when: (ctx) => isMiss(ctx) && deps.labeler !== undefined && ctx.cut?.container === "mp3",
  async run(ctx) {
    const cut = need(ctx.cut, "the cut");
    const { startMs, endMs } = need(ctx.extent, "the extent");
    const labeler = need(deps.labeler, "the labeler")();
    const episode = need(ctx.episode, "the episode");
    const labelled = await labeler.label(cut.bytes, { episode, startMs, endMs }, ctx.deadline);
    ctx.cut = { ...cut, bytes: labelled.bytes };
    // The clip as stored and served is the labelled one.
    Object.assign(ctx.log, { tag_bytes: labelled.tagBytes, clip_bytes: labelled.bytes.length });
  },
});
