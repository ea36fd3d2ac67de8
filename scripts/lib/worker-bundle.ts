import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runWrangler } from "./wrangler.js";

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
  const { stdout, stderr } = await runWrangler(["deploy", "--dry-run", "--outdir", dir, ...envArgs], {
    env: { CI: "true" },
    timeoutMs: 120_000,
  });
  return { script: path.join(dir, "index.js"), dir, output: stdout + stderr };
}
