import type { Step } from "../../../core/index.js";
import { clipKey, type ClipRecord, type ClipContext, type StepDeps } from "../context.js";

type CountOutcome = "counted" | "no record" | "recorded" | "failed";

/**
 * Counts one answered request on the clip's record: every hit, and a generation whose record another
 * generator wrote (a new record already counts its own request). With `repair`, a hit on an object without
 * a record (an earlier request stored it, then lost MongoDB) writes the record, so the catalog catches up
 * with the store.
 *
 * The answer never waits for it (#15): the count only ranks clips for `warm --popular`, and a clip already in
 * S3 must not pay a MongoDB round trip, let alone a slow MongoDB. The request's line says "pending"; anything
 * but a plain count (a failure, a repair) gets a line of its own when it settles. In Lambda the update has
 * been written to MongoDB's socket before the answer leaves (the pool's idle connection is taken at once),
 * so the server applies it even if the container is frozen before the reply arrives.
 */
export const countRequest = (deps: StepDeps): Step<ClipContext> => ({
  name: "count-request",
  when: (ctx) => ctx.found !== undefined || ctx.recorded === "existed",
  run(ctx) {
    const { episodeId } = ctx.clip.request;
    const found = ctx.found;
    const startMs = found?.startMs ?? ctx.extent?.startMs ?? ctx.clip.request.startMs;
    const endMs = found?.endMs ?? ctx.extent?.endMs ?? ctx.clip.request.endMs;
    const facts = { episodeId, startMs, endMs };
    const repair: ClipRecord | undefined = found
      ? { ...facts, s3Key: clipKey(ctx), sizeBytes: found.sizeBytes }
      : undefined;
    ctx.log.request_count = "pending";
    void Promise.resolve()
      .then(() => deps.catalog().countRequest(facts))
      .then(async (outcome): Promise<CountOutcome> => {
        if (outcome !== "no record" || !repair) return outcome;
        await deps.catalog().recordClip(repair);
        return "recorded";
      })
      .then(
        (outcome) => {
          if (outcome !== "counted") ctx.later({ level: "info", msg: "request count", request_count: outcome });
        },
        (err: unknown) =>
          ctx.later({
            level: "warn",
            msg: "request count",
            request_count: "failed",
            warn: `request count not recorded: ${err instanceof Error ? err.message : String(err)}`,
          }),
      );
  },
});
