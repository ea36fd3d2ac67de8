import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WorkerBundle {
  /** The module `wrangler deploy` would upload. */
  script: string;
  dir: string;
  /** wrangler's own report (bundle size, bindings). */
  output: string;
}

/**
 * Builds the Worker exactly as `wrangler deploy [--env ENV]` would, offline, with `--dry-run --outdir`.
 * `env` names a wrangler.toml environment (staging, production); without it, the top-level one.
 */
export async function buildWorkerBundle(env?: string): Promise<WorkerBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), "edgeclip-worker-"));
  const envArgs = env ? ["--env", env] : [];
  const { stdout, stderr } = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", dir, ...envArgs], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    timeout: 120_000,
  });
  return { script: path.join(dir, "index.js"), dir, output: stdout + stderr };
}
