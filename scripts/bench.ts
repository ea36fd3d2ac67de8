// `npm run bench [-- --runs N] [--json] [--only STRATEGY,…] [--skip-edge] [--skip-stack]`: the performance figures of #5, all
// measured in one run on this machine, each against its baseline in the same run:
//   1. origin misses on real local servers, for three read-and-cut strategies (see bench/strategies.ts),
//      60-min CBR and VBR episodes, 30 s clips at minute 1 and minute 45;
//   2. edge hits in workerd against a constant-body Worker (bench-edge.ts);
//   3. one miss and hits through the whole local stack.
// Progress goes to stderr with --json, whose last stdout line is one JSON object.
import os from "node:os";
import { benchEdge, type EdgeRatio, type EdgeRow } from "./bench-edge.js";
import { benchOrigin, type OriginCase } from "./bench/origin-bench.js";
import { benchStack, type StackFigures } from "./bench/stack-bench.js";
import { STRATEGIES, type StrategyName } from "./bench/strategies.js";

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const runsArg = args.indexOf("--runs");
// 20 by default: the local S3 and MongoDB servers stall on their disk writes in about one miss in four
// (36–58 ms instead of 15–24), which moves a median of 10 by several ms from one run to the next.
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 20;
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number >= 1 (got ${args[runsArg + 1]})`);
  process.exit(2);
}
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? "").split(",") : undefined;
if (only && !only.every((s) => (STRATEGIES as readonly string[]).includes(s))) {
  console.error(`--only takes a comma-separated list of: ${STRATEGIES.join(", ")}`);
  process.exit(2);
}
const log = (line: string) => void (asJson ? process.stderr : process.stdout).write(`${line}\n`);

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n: number | null) => (n === null ? "n/a" : n.toFixed(1));

function originTable(cases: OriginCase[]): void {
  log(`\norigin miss, whole pipeline (lookup, read, cut, upload, record, pre-sign), ${runs} runs per row`);
  log(
    "source        at     strategy              p50 ms   p95 ms   source bytes   clip bytes   start err ms   end err ms",
  );
  for (const c of cases) {
    log(
      [
        c.source.padEnd(13),
        `${c.position_ms / 60_000}m`.padEnd(6),
        c.strategy.padEnd(20),
        c.p50_ms.toFixed(0).padStart(7),
        c.p95_ms.toFixed(0).padStart(8),
        kb(c.source_bytes).padStart(14),
        kb(c.clip_bytes).padStart(12),
        ms(c.start_error_ms).padStart(14),
        ms(c.end_error_ms).padStart(12),
      ].join(" "),
    );
  }
  log("\nratios per row, edgeclip against each baseline (same source, same position, same run):");
  for (const c of cases.filter((x) => x.strategy.startsWith("edgeclip"))) {
    const same = (s: string) =>
      cases.find((x) => x.strategy === s && x.source === c.source && x.position_ms === c.position_ms);
    const download = same("baseline-download");
    const url = same("baseline-ffmpeg-url");
    const parts = [`${c.strategy} ${c.source} at ${c.position_ms / 60_000}m:`];
    if (download) {
      parts.push(`p50 ${(download.p50_ms / c.p50_ms).toFixed(1)}x faster than baseline-download,`);
      parts.push(`${(download.source_bytes / c.source_bytes).toFixed(0)}x fewer source bytes;`);
    }
    if (url) parts.push(`p50 ${(url.p50_ms / c.p50_ms).toFixed(1)}x faster than baseline-ffmpeg-url;`);
    parts.push(`source bytes - clip bytes = ${kb(c.source_bytes - c.clip_bytes)} (index read included)`);
    log(`  ${parts.join(" ")}`);
  }
}

function stackLine(s: StackFigures): void {
  log("\nwhole local stack (wrangler dev → origin → FerretDB/versitygw), demo episode, 30 s clip:");
  log(`  first request (${s.miss_layer}): ${s.miss_ms.toFixed(0)} ms, ${kb(s.clip_bytes)}; edge ${s.miss_edge_timing}`);
  log(`  later requests (${s.hit_layer}): p50 ${s.hit_p50_ms.toFixed(2)} ms over 20`);
}

log(
  `edgeclip bench on ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, ${new Date().toISOString()}`,
);
const cases = await benchOrigin({ runs, log, ...(only ? { strategies: only as StrategyName[] } : {}) });
originTable(cases);
let edge: { rows: EdgeRow[]; ratios: EdgeRatio[] } | undefined;
if (!args.includes("--skip-edge")) edge = await benchEdge(log, 3);
let stack: StackFigures | undefined;
if (!args.includes("--skip-stack")) {
  stack = await benchStack(log);
  stackLine(stack);
}
if (asJson) {
  const edgeHit = edge?.rows.find((r) => r.name === "edge-cache-hit");
  console.log(
    JSON.stringify({
      cases,
      ...(edge ? { edge: edge.rows, edge_ratios: edge.ratios } : {}),
      ...(edgeHit ? { edge_hit_p50_ms: edgeHit.p50_ms, edge_hit_rps: edgeHit.requests_per_s } : {}),
      ...(stack ? { stack } : {}),
    }),
  );
}
