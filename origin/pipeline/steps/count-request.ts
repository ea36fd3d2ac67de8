import type { Step } from "../../../core/index.js";
import { clipKey, type ClipRecord, type ClipContext, type StepDeps } from "../context.js";

/**
 * How long an answer waits for its request count. The count only ranks clips for `warm --popular`, so a
 * slow or failing MongoDB must not hold up a clip that is already in S3; past this the write finishes (or
 * fails) on its own, unlogged.
 */
export const REQUEST_COUNT_WAIT_MS = 100;

type CountOutcome = "counted" | "no record" | "recorded" | "failed" | "pending";
type Counted = { outcome: CountOutcome; warn?: string };

/**
 * Counts one answered request on the clip's record: every hit, and a generation whose record another
 * generator wrote (a new record already counts its own request). With `repair`, a hit on an object without
 * a record (an earlier request stored it, then lost MongoDB) writes the record, so the catalog catches up
 * with the store. Started here, waited for (at most REQUEST_COUNT_WAIT_MS) by presign, never throws.
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
    const settled: Promise<Counted> = Promise.resolve()
      .then(() => deps.catalog().countRequest(facts))
      .then(async (outcome): Promise<CountOutcome> => {
        if (outcome !== "no record" || !repair) return outcome;
        await deps.catalog().recordClip(repair);
        return "recorded";
      })
      .then(
        (outcome) => ({ outcome }),
        (err: unknown) => ({
          outcome: "failed" as const,
          warn: `request count not recorded: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
    ctx.counting = boundedWait(settled).then(({ outcome, warn }) => {
      ctx.log.request_count = outcome;
      if (warn !== undefined) Object.assign(ctx.log, { level: "warn", warn });
    });
  },
});

function boundedWait(settled: Promise<Counted>): Promise<Counted> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<Counted>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: "pending" }), REQUEST_COUNT_WAIT_MS);
  });
  return Promise.race([settled, waited]).finally(() => clearTimeout(timer));
}
