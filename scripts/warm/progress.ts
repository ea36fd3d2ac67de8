// What `npm run warm` shows while it runs: a bar on a terminal, one line per clip in a log.
import type { WarmResult } from "./run-warm.js";

export function progress(total: number): (r: WarmResult, done: number) => void {
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

export function onWait(seconds: number, why: string): void {
  process.stderr.write(
    `${process.stderr.isTTY ? "\r\x1b[K" : ""}the edge asked to wait: ${why}; pausing ${seconds} s\n`,
  );
}
