// The Worker in workerd through Miniflare, with the bindings wrangler.toml gives it (R2, the two generation
// limits), in front of a given origin: the runtime the Worker is deployed to, without `wrangler dev`'s own
// proxying, which the whole-stack row measures separately (#15).
import { rm } from "node:fs/promises";
import path from "node:path";
import { Miniflare } from "miniflare";
import { buildWorkerBundle } from "../lib/worker-bundle.js";

const COMPATIBILITY_DATE = "2026-04-01";

export interface WorkerdEdge {
  url: URL;
  close(): Promise<void>;
}

export async function startWorkerdEdge(opts: { originUrl: string; originSecret: string }): Promise<WorkerdEdge> {
  const bundle = await buildWorkerBundle();
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle.script,
    // The bundle lives in a temp folder; module paths are resolved from there.
    modulesRoot: path.dirname(bundle.script),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["CLIPS"],
    // wrangler.toml's limits: a bench row of a few dozen new clips stays under them.
    ratelimits: {
      GENERATE_BURST: { simple: { limit: 50, period: 10 } },
      GENERATE_SUSTAINED: { simple: { limit: 150, period: 60 } },
    },
    bindings: { ORIGIN_URL: opts.originUrl, ORIGIN_SECRET: opts.originSecret },
    // One JSON log line per request would drown the table; errors still reach stderr.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  });
  const url = await mf.ready;
  return {
    url,
    async close() {
      await mf.dispose();
      await rm(bundle.dir, { recursive: true, force: true });
    },
  };
}
