// Figures derived from the runs of one bench row: the median of each origin step's timing, and the limit row's.
import { quantile } from "../lib/quantile.js";
import type { LimitSample } from "./limit-bench.js";

export interface LimitFigures {
  p50_ms: number;
  p95_ms: number;
  /** Medians of each operation of the limit miss. */
  catalog_ms: number;
  get_ms: number;
  put_ms: number;
}

/** Median per step name over the runs, in the order the steps ran (a step missing from a run is not counted). */
export function stepMedians(runs: readonly Record<string, number>[]): Record<string, number> {
  const names: string[] = [];
  for (const run of runs) for (const name of Object.keys(run)) if (!names.includes(name)) names.push(name);
  const medians: Record<string, number> = {};
  for (const name of names) {
    medians[name] = quantile(
      runs.flatMap((run) => (run[name] === undefined ? [] : [run[name]])),
      0.5,
    );
  }
  return medians;
}

export function limitFigures(samples: readonly LimitSample[]): LimitFigures {
  const median = (pick: (s: LimitSample) => number) => quantile(samples.map(pick), 0.5);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50_ms: round(median((s) => s.total_ms)),
    p95_ms: round(
      quantile(
        samples.map((s) => s.total_ms),
        0.95,
      ),
    ),
    catalog_ms: round(median((s) => s.catalog_ms)),
    get_ms: round(median((s) => s.get_ms)),
    put_ms: round(median((s) => s.put_ms)),
  };
}

/**
 * Mean per name of counts over the runs, a name missing from a run counting 0 there: what one miss costs on
 * average (a container's first miss reads the source's tags once, a HEAD and two small GETs the others skip).
 */
export function meanCounts(runs: readonly Record<string, number>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const run of runs) for (const [name, n] of Object.entries(run)) sums[name] = (sums[name] ?? 0) + n;
  return Object.fromEntries(
    Object.entries(sums).map(([name, sum]) => [name, Math.round((100 * sum) / Math.max(1, runs.length)) / 100]),
  );
}
