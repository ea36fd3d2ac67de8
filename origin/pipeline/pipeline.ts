import type { ClipJsonResponse, ClipRequest } from "../../core/index.js";
import type { CutOutcome } from "../cut/clip-cutter.js";
import type { Episode } from "../catalog/episode-catalog.js";
import type { OriginRequest } from "../lambda/event.js";
import { deadlinePassed, stepOverran } from "../lambda/deadline.js";

/** Everything one request learns on its way through the steps. */
export interface ClipContext {
  readonly request: OriginRequest;
  readonly startedAt: number;
  /** Epoch ms by which work must stop: the Lambda deadline minus FFMPEG_TIMEOUT_MARGIN_MS. */
  readonly deadline: number;
  readonly marginMs: number;
  clip?: ClipRequest;
  key?: string;
  episode?: Episode;
  /** Actual end: the requested end, or the episode's end when that comes first. */
  endMs?: number;
  clamped?: boolean;
  cut?: CutOutcome;
  stored?: "created" | "existed";
  /** Set by a step that has the answer (a hit, or the last step); later steps are skipped. */
  result?: ClipJsonResponse;
  /** Fields for the request's single log line. */
  readonly log: Record<string, unknown>;
}

export interface Step {
  readonly name: string;
  run(ctx: ClipContext): Promise<void>;
}

export type BeforeStep = (name: string, ctx: ClipContext) => void | Promise<void>;

/**
 * A step still running shortly after the deadline is abandoned with a 504, so a frozen S3 or MongoDB (whose
 * drivers may wait far longer) cannot keep the origin from answering before Lambda kills it. The grace lets
 * a step's own deadline error (FFmpeg killed at the deadline) win with its more precise message.
 */
async function withinDeadline(work: Promise<void>, name: string, ctx: ClipContext): Promise<void> {
  const graceMs = Math.min(1000, ctx.marginMs / 2);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overran = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(stepOverran(name, ctx.marginMs, Date.now() - ctx.startedAt)),
      Math.max(0, ctx.deadline + graceMs - Date.now()),
    );
  });
  // The abandoned step may still fail later; that must not become an unhandled rejection.
  work.catch(() => {});
  try {
    await Promise.race([work, overran]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the named steps in order until one produces a result. The deadline is checked between steps,
 * so a slow database or S3 call cannot push FFmpeg (or the upload after it) past the Lambda timeout.
 */
export async function runPipeline(
  steps: readonly Step[],
  ctx: ClipContext,
  beforeStep?: BeforeStep,
): Promise<ClipJsonResponse> {
  const timings: Record<string, number> = {};
  ctx.log.steps = timings;
  for (const step of steps) {
    if (ctx.result) break;
    if (Date.now() >= ctx.deadline) throw deadlinePassed(step.name, ctx.marginMs, Date.now() - ctx.startedAt);
    await beforeStep?.(step.name, ctx);
    const began = Date.now();
    try {
      await withinDeadline(step.run(ctx), step.name, ctx);
    } finally {
      timings[step.name] = Date.now() - began;
    }
  }
  if (!ctx.result) throw new Error("pipeline ended without a result");
  return ctx.result;
}
