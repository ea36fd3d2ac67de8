/**
 * One step runner for both sides (imgproxy's pipeline, itty-router's stages): a request is a list of named
 * steps, each a small function of a context it reads and fills. The runner owns the cross-cutting rules so
 * no step repeats them: which steps apply (`when`), the deadline between steps, abandoning a step still
 * waiting past it, and per-step timings for the log line. Standard JS only (timers, Date), so it runs in
 * Node and in workerd alike.
 */
export interface Step<C> {
  readonly name: string;
  /** Runs the step only when this says so (default: always). Read before the step starts. */
  readonly when?: (ctx: C) => boolean;
  run(ctx: C): Promise<void> | void;
}

export type TimeUpPhase = "before" | "during";

export interface StepRunOptions<C> {
  /** Epoch ms after which no step may start. */
  deadline?: number;
  /**
   * How long past the deadline a running step may still finish on its own (so its own, more precise deadline
   * error can win); after that it is abandoned and `timeUp(name, "during")` is thrown. Default 0.
   */
  graceMs?: number;
  /** The error to throw when the deadline passes before (`before`) or during (`during`) a step. */
  timeUp?: (step: string, phase: TimeUpPhase) => Error;
  /** Called before each step that applies; tests use it to inject a fault at an exact point. */
  before?: (name: string, ctx: C) => void | Promise<void>;
  /** Filled with each step's duration in ms as it ends, failed steps included. */
  timings?: Record<string, number>;
  now?: () => number;
}

const defaultTimeUp = (step: string, phase: TimeUpPhase) =>
  new Error(phase === "before" ? `no time left for step ${step}` : `step ${step} still running at the deadline`);

/** Races a step against the deadline; the abandoned step's own later failure must not go unhandled. */
async function withinDeadline(work: Promise<void>, abandonAt: number, onTimeUp: () => Error, now: () => number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overran = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeUp()), Math.max(0, abandonAt - now()));
  });
  work.catch(() => {});
  try {
    await Promise.race([work, overran]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Runs the steps that apply, in order; the first error ends the run and is thrown as it is. */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, options: StepRunOptions<C> = {}): Promise<void> {
  const now = options.now ?? Date.now;
  const timeUp = options.timeUp ?? defaultTimeUp;
  for (const step of steps) {
    if (step.when && !step.when(ctx)) continue;
    if (options.deadline !== undefined && now() >= options.deadline) throw timeUp(step.name, "before");
    if (options.before) await options.before(step.name, ctx);
    // Without a deadline or timings (the Worker's hit path) a step costs one await and nothing else (#15).
    const began = options.timings ? now() : 0;
    try {
      if (options.deadline === undefined) await step.run(ctx);
      else {
        const work = Promise.resolve().then(() => step.run(ctx));
        const abandonAt = options.deadline + (options.graceMs ?? 0);
        await withinDeadline(work, abandonAt, () => timeUp(step.name, "during"), now);
      }
    } finally {
      // A tenth of a millisecond: a clock finer than Date.now (the origin's) shows the sub-ms steps, not noise.
      if (options.timings) options.timings[step.name] = Math.round((now() - began) * 10) / 10;
    }
  }
}
