// `npm run bench:edge [-- --json]`: the cost of an edge hit in workerd against a constant-body Worker in the
// same run (see scripts/bench/edge-bench.ts). With --json, progress goes to stderr and stdout gets one JSON line.
import { benchEdge } from "./bench/edge-bench.js";
import { runCommand, UsageError } from "./cli/run-command.js";

await runCommand({
  name: "bench:edge",
  usage: "usage: npm run bench:edge [-- --json]",
  options: { json: { type: "boolean" } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError();
    const asJson = values.json === true;
    const result = await benchEdge((line) => (asJson ? process.stderr : process.stdout).write(`${line}\n`));
    if (asJson) console.log(JSON.stringify({ edge: result.rows, ratios: result.ratios }));
  },
});
