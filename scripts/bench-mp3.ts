/**
 * Measures the pure MP3 library on 60-minute episodes (not a test: numbers, no assertions); see
 * scripts/bench/mp3-bench.ts.
 *
 *   npx tsx scripts/bench-mp3.ts [--runs N] [--json]
 */
import { benchMp3, mp3Table } from "./bench/mp3-bench.js";
import { runCommand } from "./cli/run-command.js";

await runCommand({
  name: "bench:mp3",
  usage: "usage: npm run bench:mp3 [-- --runs N] [--json]",
  options: { runs: { type: "string" }, json: { type: "boolean" } },
  async run({ values }) {
    const runs = Number(values.runs) || 20;
    const asJson = values.json === true;
    const log = (line: string): void => void (asJson ? process.stderr : process.stdout).write(`${line}\n`);
    const rows = await benchMp3(runs, log);
    for (const line of mp3Table(rows)) log(line);
    if (asJson) process.stdout.write(`${JSON.stringify({ cases: rows })}\n`);
  },
});
