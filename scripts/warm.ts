// `npm run warm -- <file|-> [--edge URL] [--concurrency N]`: requests clips through the edge so the first
// listener gets a cache hit. Input lines: a clip URL (or path), or `episode_id start_ms duration_ms`.
// The edge is --edge, else EDGE_URL, else the running `npm start` stack.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { readLocalStack } from "./episodes/target.js";
import { runWarm, type WarmResult } from "./warm/run-warm.js";
import { parseWarmList } from "./warm/warm-list.js";

const USAGE = `usage: npm run warm -- <file|-> [--edge URL] [--concurrency N]
  lines: https://EDGE/api/v1/audio_clips/EP?start_time_ms=…&duration_ms=…   (or just the path)
         EP start_ms duration_ms
  blank lines and # comments are skipped`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function progress(total: number): (r: WarmResult, done: number) => void {
  const tty = process.stderr.isTTY;
  const tally = { generated: 0, hit: 0, failed: 0 };
  return (r, done) => {
    tally[r.outcome]++;
    if (r.outcome === "failed") {
      process.stderr.write(`${tty ? "\r\x1b[K" : ""}failed: ${r.item.path}: ${r.detail}\n`);
    }
    const counts = `${tally.generated} generated, ${tally.hit} hit, ${tally.failed} failed`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${counts}`);
      if (done === total) process.stderr.write("\n");
    } else if (r.outcome !== "failed") {
      // No carriage returns in logs: one line per clip.
      process.stderr.write(`${done}/${total} ${r.outcome} (${r.detail}, ${r.ms.toFixed(0)} ms) ${r.item.path}\n`);
    }
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        edge: { type: "string" },
        concurrency: { type: "string", default: "4" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const concurrency = Number(values.concurrency);
  if (positionals.length !== 1 || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    console.error(
      `${positionals.length !== 1 ? "give one file, or - for standard input" : "--concurrency must be 1-64"}\n${USAGE}`,
    );
    return 2;
  }
  const edgeUrl = values.edge ?? process.env.EDGE_URL ?? (await readLocalStack())?.edgeUrl;
  if (!edgeUrl) {
    console.error(
      "No edge to warm: pass --edge https://your-edge, set EDGE_URL, or start the local stack with `npm start`.",
    );
    return 2;
  }
  const source = positionals[0] as string;
  let text: string;
  try {
    text = source === "-" ? await readStdin() : await readFile(source, "utf8");
  } catch (err) {
    console.error(`warm: cannot read ${source}: ${(err as Error).message}`);
    return 2;
  }
  const { items, errors } = parseWarmList(text);
  if (errors.length > 0) {
    console.error(`warm: nothing requested, ${errors.length} bad line(s):\n${errors.slice(0, 20).join("\n")}`);
    return 2;
  }
  if (items.length === 0) {
    console.error("warm: no clips in the input");
    return 0;
  }
  console.error(`warming ${items.length} clip(s) through ${edgeUrl}, ${concurrency} at a time`);
  const summary = await runWarm(edgeUrl, items, { concurrency, onResult: progress(items.length) });
  console.log(
    `warmed ${items.length} clip(s) in ${(summary.ms / 1000).toFixed(1)} s: ` +
      `${summary.generated} generated, ${summary.hit} hit, ${summary.failed} failed`,
  );
  return summary.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
