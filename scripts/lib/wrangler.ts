// One way to run wrangler: the project's own copy (node_modules, the version package.json pins), by node
// directly rather than through npx, with its usage metrics off.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const WRANGLER_JS = path.join(PROJECT_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The environment wrangler runs with: ours, plus `extra`, with metrics off. */
export function wranglerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, WRANGLER_SEND_METRICS: "false" };
}

/** Runs wrangler to completion in the project root; rejects with its output when it fails. */
export async function runWrangler(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [WRANGLER_JS, ...args], {
    cwd: PROJECT_ROOT,
    env: wranglerEnv(opts.env),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
  });
}

/** Starts a long-running wrangler (`wrangler dev`) in the project root. */
export function spawnWrangler(args: readonly string[], opts: Omit<SpawnOptions, "cwd" | "env"> = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER_JS, ...args], { ...opts, cwd: PROJECT_ROOT, env: wranglerEnv() });
}
