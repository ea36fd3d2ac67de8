// `npm start` (after scripts/start.mjs has installed what is missing): the whole service locally,
// until Ctrl-C. Ports: EDGE_PORT (8787) and ORIGIN_PORT (3000).
import { localStackFile } from "./stack/published-stack.js";
import { startStack } from "./stack/stack.js";

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65535) {
    console.error(`error: ${name} must be a port number (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return Number(raw);
}

const began = Date.now();
const log = (line: string) => console.log(line);
const stack = await startStack({
  edgePort: port("EDGE_PORT", 8787),
  originPort: port("ORIGIN_PORT", 3000),
  log,
  publish: localStackFile(),
}).catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
console.log(`
edgeclip is running (ready in ${((Date.now() - began) / 1000).toFixed(1)} s)
  player page   ${stack.edgeUrl}/
  a demo clip   ${stack.demoClipUrl}
  origin        ${stack.originUrl}
Press Ctrl-C to stop.`);
const signal = await new Promise<string>((resolve) => {
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, () => resolve(s));
  // We run under wrappers (npm, start.mjs, tsx's launcher). One killed hard (SIGKILL, OOM) sends us nothing
  // and we would run on with the ports taken; being re-parented is the only sign of it.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && resolve("parent process gone"), 500).unref();
});
console.log(`\n${signal}: stopping…`);
await stack.stop();
console.log("stopped.");
process.exit(0);
