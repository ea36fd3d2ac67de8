// The tables `npm run bench` prints: origin misses per strategy with their ratios, and the whole-stack line.
import os from "node:os";
import type { OriginCase } from "./origin-bench.js";
import type { StackFigures } from "./stack-bench.js";

type Log = (line: string) => void;

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n: number | null) => (n === null ? "n/a" : n.toFixed(1));

export function originTable(log: Log, runs: number, cases: OriginCase[]): void {
  log(`\norigin miss, whole pipeline (lookup, read, cut, upload, record, pre-sign), ${runs} runs per row`);
  log(
    "source        at     strategy              p50 ms   p95 ms   source bytes   clip bytes   start err ms   end err ms",
  );
  for (const c of cases) {
    log(row(c));
    if (c.limit) log(limitRow(c));
  }
  ratios(log, cases);
  stepBreakdown(log, cases);
}

function row(c: OriginCase): string {
  return [
    c.source.padEnd(13),
    `${c.position_ms / 60_000}m`.padEnd(6),
    c.strategy.padEnd(20),
    c.p50_ms.toFixed(0).padStart(7),
    c.p95_ms.toFixed(0).padStart(8),
    kb(c.source_bytes).padStart(14),
    kb(c.clip_bytes).padStart(12),
    ms(c.start_error_ms).padStart(14),
    ms(c.end_error_ms).padStart(12),
  ].join(" ");
}

/** The limit row sits under the edgeclip row it was measured with; it reads only the clip's bytes. */
function limitRow(c: OriginCase): string {
  const l = c.limit!;
  return [
    c.source.padEnd(13),
    `${c.position_ms / 60_000}m`.padEnd(6),
    "limit".padEnd(20),
    l.p50_ms.toFixed(0).padStart(7),
    l.p95_ms.toFixed(0).padStart(8),
    kb(c.clip_bytes).padStart(14),
    kb(c.clip_bytes).padStart(12),
  ].join(" ");
}

/** Where edgeclip's miss goes, step by step, beside the limit's three operations. */
function stepBreakdown(log: Log, cases: OriginCase[]): void {
  const rows = cases.filter((c) => c.limit !== undefined);
  if (rows.length === 0) return;
  log("\nedgeclip miss per step (median ms of the origin's own step timings), and the limit's operations:");
  for (const c of rows) {
    const steps = Object.entries(c.steps_p50_ms)
      .map(([name, v]) => `${name} ${v}`)
      .join(", ");
    log(`  ${c.strategy} ${c.source} at ${c.position_ms / 60_000}m: ${steps}`);
    if (c.limit) {
      const l = c.limit;
      log(`    limit: catalog read ${ms(l.catalog_ms)}, ranged GET ${ms(l.get_ms)}, PUT ${ms(l.put_ms)}`);
    }
  }
}

function ratios(log: Log, cases: OriginCase[]): void {
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
    // Each of edgeclip and edgeclip-warm is measured interleaved with its own limit row.
    const limit = c.limit ?? same("edgeclip")?.limit;
    if (limit) parts.push(`p50 ${(c.p50_ms / limit.p50_ms).toFixed(1)}x the limit;`);
    parts.push(`source bytes - clip bytes = ${kb(c.source_bytes - c.clip_bytes)} (index read included)`);
    log(`  ${parts.join(" ")}`);
  }
}

export function stackLine(log: Log, s: StackFigures): void {
  log("\nwhole local stack (edge → local API Gateway → origin → FerretDB/versitygw), demo episode, 30 s clips:");
  log(
    `  first request of a fresh stack (${s.first_layer}): ${s.first_ms.toFixed(0)} ms, ${kb(s.clip_bytes)}; edge ${s.first_edge_timing}`,
  );
  for (const [name, e] of [
    ["workerd (Miniflare)", s.workerd],
    ["wrangler dev (npm start)", s.wrangler],
  ] as const) {
    log(
      `  ${name}: ${s.misses} distinct new clips p50 ${e.miss_p50_ms.toFixed(1)} ms, p95 ${e.miss_p95_ms.toFixed(1)} ms; ` +
        `the origin's own time for them p50 ${e.origin_p50_ms.toFixed(1)} ms: whole-stack miss ${(e.miss_p50_ms / e.origin_p50_ms).toFixed(2)}x the origin miss; ` +
        `then 20 requests (${e.hit_layer}) p50 ${e.hit_p50_ms.toFixed(2)} ms`,
    );
  }
}

export function machineLine(): string {
  return (
    `edgeclip bench on ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, ${new Date().toISOString()}`
  );
}
