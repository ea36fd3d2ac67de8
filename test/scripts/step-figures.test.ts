import { describe, expect, it } from "vitest";
import { meanCounts, stepMedians } from "../../scripts/bench/step-figures.js";

describe("the bench's per-miss figures", () => {
  it("S3 requests are a mean per miss: a method a run did not make counts 0 there", () => {
    // Twenty misses; only the first read the source's tags (one HEAD).
    const runs = [{ GET: 2, HEAD: 1, PUT: 1 }, ...Array.from({ length: 19 }, () => ({ GET: 2, PUT: 1 }))];
    expect(meanCounts(runs)).toEqual({ GET: 2, HEAD: 0.05, PUT: 1 });
    expect(meanCounts([])).toEqual({});
  });

  it("step timings are a median over the runs that ran the step", () => {
    expect(stepMedians([{ cut: 3 }, { cut: 5, "check-store": 2 }, { cut: 4 }])).toEqual({ cut: 4, "check-store": 2 });
  });
});
