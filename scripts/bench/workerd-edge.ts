// The Worker in workerd through Miniflare, in front of a given origin: the runtime the Worker is deployed to,
// without `wrangler dev`'s own proxying, which the whole-stack row measures beside it (#15).
import { rm } from "node:fs/promises";
import { Miniflare } from "miniflare";
import { buildWorkerBundle } from "../lib/worker-bundle.js";
import { QUIET_STDIO, edgeWorker } from "./edge-workers.js";

export interface WorkerdEdge {
  url: URL;
  close(): Promise<void>;
}

export async function startWorkerdEdge(opts: { originUrl: string; originSecret: string }): Promise<WorkerdEdge> {
  const bundle = await buildWorkerBundle();
  const mf = new Miniflare({ ...QUIET_STDIO, workers: [edgeWorker(bundle.script, opts.originUrl, opts.originSecret)] });
  const url = await mf.ready;
  return {
    url,
    async close() {
      await mf.dispose();
      await rm(bundle.dir, { recursive: true, force: true });
    },
  };
}
