import { describe, expect, it } from "vitest";
import { runSteps, type Step } from "../../../core/index.js";

interface Ctx {
  seen: string[];
  hit?: boolean;
}

const step = (name: string, extra: Partial<Step<Ctx>> = {}): Step<Ctx> => ({
  name,
  run: (ctx) => {
    ctx.seen.push(name);
  },
  ...extra,
});

describe("runSteps", () => {
  it("runs the steps in order and skips those whose `when` says no", async () => {
    const ctx: Ctx = { seen: [] };
    const steps = [
      step("a"),
      step("find", { run: (c) => void ((c.hit = true), c.seen.push("find")) }),
      step("miss-only", { when: (c) => !c.hit }),
      step("hit-only", { when: (c) => c.hit === true }),
    ];
    await runSteps(steps, ctx);
    expect(ctx.seen).toEqual(["a", "find", "hit-only"]);
  });

  it("records a timing for every step that ran, the failed one included, and stops at the first error", async () => {
    const timings: Record<string, number> = {};
    const ctx: Ctx = { seen: [] };
    const boom = step("boom", {
      run: () => {
        throw new Error("boom");
      },
    });
    await expect(runSteps([step("a"), boom, step("never")], ctx, { timings })).rejects.toThrow("boom");
    expect(Object.keys(timings)).toEqual(["a", "boom"]);
    expect(ctx.seen).toEqual(["a"]);
  });

  it("calls `before` with each step that applies (fault injection)", async () => {
    const names: string[] = [];
    await runSteps(
      [step("a"), step("b", { when: () => false }), step("c")],
      { seen: [] },
      {
        before: (name) => void names.push(name),
      },
    );
    expect(names).toEqual(["a", "c"]);
  });

  it("starts no step once the deadline has passed", async () => {
    let clock = 0;
    const ctx: Ctx = { seen: [] };
    const late = step("slow", { run: (c) => void ((clock = 100), c.seen.push("slow")) });
    const run = runSteps([late, step("next")], ctx, {
      deadline: 50,
      now: () => clock,
      timeUp: (name, phase) => new Error(`${phase}:${name}`),
    });
    await expect(run).rejects.toThrow("before:next");
    expect(ctx.seen).toEqual(["slow"]);
  });

  it("abandons a step still waiting past deadline + grace, and its later failure goes unhandled nowhere", async () => {
    let release: (err: Error) => void = () => {};
    const hanging = step("hang", {
      run: () =>
        new Promise<void>((_, reject) => {
          release = reject;
        }),
    });
    const run = runSteps(
      [hanging],
      { seen: [] },
      {
        deadline: Date.now() + 20,
        graceMs: 10,
        timeUp: (name, phase) => new Error(`${phase}:${name}`),
      },
    );
    await expect(run).rejects.toThrow("during:hang");
    release(new Error("late failure")); // must not become an unhandled rejection (vitest would fail the file)
  });

  it("lets a step's own error win when it fails within the grace", async () => {
    const own = step("own", {
      run: () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error("own deadline error")), 30)),
    });
    const run = runSteps([own], { seen: [] }, { deadline: Date.now() + 10, graceMs: 10_000 });
    await expect(run).rejects.toThrow("own deadline error");
  });
});
