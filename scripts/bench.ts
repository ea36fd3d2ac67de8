// `npm run bench [-- --runs N] [--json] [--only STRATEGY,…] [--skip-edge] [--skip-stack] [--skip-scale]`: the performance figures of #5, all
// measured in one run on this machine, each against its baseline in the same run:
//   1. origin misses on real local servers, for three read-and-cut strategies (see bench/strategies.ts),
//      60-min CBR and VBR episodes, 30 s clips at minute 1 and minute 45;
//   2. edge hits in workerd against a constant-body Worker (bench/edge-bench.ts);
//   3. one miss and hits through the whole local stack;
//   4. the scale row (bench/scale-bench.ts), the limit row (bench/limit-bench.ts) and the cost lines (bench/cost.ts) of #15.
// Progress goes to stderr with --json, whose last stdout line is one JSON object.
import { benchEdge, type EdgeRatio, type EdgeRow } from "./bench/edge-bench.js";
import { costLines } from "./bench/cost.js";
import { scaleLines } from "./bench/scale-bench.js";
import { benchOrigin } from "./bench/origin-bench.js";
import { quantile } from "./lib/quantile.js";
import { machineLine, originTable, stackLine } from "./bench/report.js";
import { benchStack, type StackFigures } from "./bench/stack-bench.js";
import { STRATEGIES, type StrategyName } from "./bench/strategies.js";
import { runCommand, UsageError } from "./cli/run-command.js";

await runCommand({
  name: "bench",
  usage: "usage: npm run bench [-- --runs N] [--json] [--only STRATEGY,…] [--skip-edge] [--skip-stack] [--skip-scale]",
  options: {
    // 20 by default: the local S3 and MongoDB servers stall on their disk writes in about one miss in four
    // (36–58 ms instead of 15–24), which moves a median of 10 by several ms from one run to the next.
    runs: { type: "string", default: "20" },
    json: { type: "boolean" },
    only: { type: "string" },
    "skip-edge": { type: "boolean" },
    "skip-stack": { type: "boolean" },
    "skip-scale": { type: "boolean" },
  },
  async run({ values }) {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1)
      throw new UsageError(`--runs must be a whole number >= 1 (got ${values.runs})`);
    const only = values.only === undefined ? undefined : values.only.split(",");
    if (only && !only.every((s) => (STRATEGIES as readonly string[]).includes(s))) {
      throw new UsageError(`--only takes a comma-separated list of: ${STRATEGIES.join(", ")}`);
    }
    const asJson = values.json === true;
    const log = (line: string) => void (asJson ? process.stderr : process.stdout).write(`${line}\n`);
    log(machineLine());
    const { cases, scale } = await benchOrigin({
      runs,
      log,
      scale: !values["skip-scale"],
      ...(only ? { strategies: only as StrategyName[] } : {}),
    });
    originTable(log, runs, cases);
    if (scale) scaleLines(log, scale);
    let edge: { rows: EdgeRow[]; ratios: EdgeRatio[] } | undefined;
    // The same rounds as `npm run bench:edge`: with 3, the 30 s clip's ratio moved by ±0.05x between runs here,
    // as much as the gap to its aim.
    if (!values["skip-edge"]) edge = await benchEdge(log);
    let stack: StackFigures | undefined;
    if (!values["skip-stack"]) {
      stack = await benchStack(log);
      stackLine(log, stack);
    }
    const edgeHit = edge?.rows.find((r) => r.name === "edge-cache-hit");
    const misses = cases.filter((c) => c.strategy === "edgeclip");
    const typical = misses[0];
    if (typical) {
      // The Worker's own share of a warm miss in workerd (the whole stack's time less the origin's) bounds its CPU time.
      const edgeMissMs = stack ? Math.max(0, stack.workerd.miss_p50_ms - stack.workerd.origin_p50_ms) : undefined;
      costLines(log, {
        missMs: quantile(
          misses.map((c) => c.p50_ms),
          0.5,
        ),
        clipBytes: typical.clip_bytes,
        s3Ops: typical.s3_ops,
        // Not measured when the edge or stack benches are skipped: then a generous stand-in.
        workerMsPerHit: edgeHit?.p50_ms ?? 5,
        workerMsPerMiss: edgeMissMs ?? 100,
      });
    }
    if (!asJson) return;
    console.log(
      JSON.stringify({
        cases,
        ...(edge ? { edge: edge.rows, edge_ratios: edge.ratios } : {}),
        ...(edgeHit ? { edge_hit_p50_ms: edgeHit.p50_ms, edge_hit_rps: edgeHit.requests_per_s } : {}),
        ...(stack ? { stack } : {}),
        ...(scale ? { scale } : {}),
      }),
    );
  },
});
