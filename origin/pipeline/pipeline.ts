import {
  MIRROR_HEADER,
  MIRROR_MISSED,
  acceptsClipBytes,
  parseClip,
  runSteps,
  type ClipLimits,
  type StepRunOptions,
} from "../../core/index.js";
import { deadlinePassed, stepOverran } from "../lambda/deadline.js";
import type { ClipAnswer, ClipContext, RequestContext, StepDeps } from "./context.js";
import { clipSteps, gateSteps } from "./steps/index.js";

/** Epoch ms with a fraction: the step timings of a miss are mostly a few ms, and Date.now rounds each to one. */
const preciseNow = () => performance.timeOrigin + performance.now();

export type BeforeStep = (name: string, ctx: RequestContext) => void | Promise<void>;

export interface Pipeline {
  run(base: RequestContext, beforeStep?: BeforeStep): Promise<ClipAnswer>;
}

/**
 * One request through the origin: the gate steps, then parsing (so every later step gets a typed parsed
 * clip), then the clip steps. The core runner checks the deadline between steps and abandons one still
 * waiting shortly after it, so a frozen S3 or MongoDB (whose drivers may wait far longer) cannot keep the
 * origin from answering before Lambda kills it; the grace lets a step's own deadline error (FFmpeg killed
 * at the deadline) win with its more precise message.
 */
export function createPipeline(deps: StepDeps, limits: ClipLimits): Pipeline {
  const steps = clipSteps(deps);
  return {
    async run(base, beforeStep) {
      const timings: Record<string, number> = {};
      base.log.steps = timings;
      const elapsed = () => Date.now() - base.startedAt;
      const options = (): StepRunOptions<RequestContext> => ({
        deadline: base.deadline,
        graceMs: Math.min(1000, base.marginMs / 2),
        timeUp: (step, phase) =>
          phase === "before"
            ? deadlinePassed(step, base.marginMs, elapsed())
            : stepOverran(step, base.marginMs, elapsed()),
        ...(beforeStep ? { before: beforeStep } : {}),
        timings,
        now: preciseNow,
      });
      await runSteps(gateSteps, base, options());
      const began = Date.now();
      const clip = parseClip(base.request.url, limits);
      timings.parse = Date.now() - began;
      const { episodeId, startMs, endMs } = clip.request;
      Object.assign(base.log, { episode_id: episodeId, start_ms: startMs, end_ms: endMs });
      const ctx: ClipContext = {
        ...base,
        clip,
        takesBytes: acceptsClipBytes(base.request.header("accept")),
        mirrorMissed: base.request.header(MIRROR_HEADER) === MIRROR_MISSED,
      };
      await runSteps(steps, ctx, options());
      if (!ctx.result) throw new Error("pipeline ended without a result");
      return ctx.result;
    },
  };
}
