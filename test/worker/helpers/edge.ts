import { readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Miniflare } from "miniflare";
import { buildWorkerBundle, type WorkerBundle } from "../../../scripts/lib/worker-bundle.js";

export const COMPATIBILITY_DATE = "2026-04-01";
export const EDGE = "http://edge.test";

let built: Promise<WorkerBundle> | undefined;

/** The exact bundle `wrangler deploy` would upload, built offline with --dry-run (once per test file). */
export function buildWorker(): Promise<WorkerBundle> {
  built ??= buildWorkerBundle();
  return built;
}

/** Removes this file's bundle folder (call from afterAll). */
export async function disposeWorkerBundle(): Promise<void> {
  const bundle = await built?.catch(() => undefined);
  built = undefined;
  if (bundle) await rm(bundle.dir, { recursive: true, force: true });
}

export interface EdgeOptions {
  originUrl: string;
  originSecret: string;
  vars?: Record<string, string>;
  generateLimit?: number;
}

export interface Edge {
  mf: Miniflare;
  fetch(pathAndQuery: string, init?: { method?: string; headers?: Record<string, string> }): Promise<Response>;
  bucket(): ReturnType<Miniflare["getR2Bucket"]>;
  /** Removes the canonical entry from the edge cache, to reach the layers behind it. */
  evict(canonicalPathAndQuery: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The Worker in workerd (Miniflare), with real local R2, the real Cache API and the rate limit binding. */
export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const { script } = await buildWorker();
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["CLIPS"],
    ratelimits: { GENERATE_LIMITER: { simple: { limit: opts.generateLimit ?? 1000, period: 60 } } },
    bindings: {
      ORIGIN_URL: opts.originUrl,
      ORIGIN_SECRET: opts.originSecret,
      ...opts.vars,
    },
  });
  await mf.ready;
  return {
    mf,
    async fetch(pathAndQuery, init = {}) {
      const res = await mf.dispatchFetch(EDGE + pathAndQuery, {
        method: init.method ?? "GET",
        headers: { "cf-connecting-ip": "198.51.100.1", ...init.headers },
      });
      // Miniflare's Response is undici's; copy into a Node Response so tests can use the standard API.
      const body = init.method === "HEAD" || res.status === 304 ? null : await res.arrayBuffer();
      return new Response(body && res.status !== 204 ? body : null, {
        status: res.status,
        headers: Object.fromEntries(res.headers.entries()),
      });
    },
    bucket: () => mf.getR2Bucket("CLIPS"),
    async evict(canonicalPathAndQuery) {
      const caches = await mf.getCaches();
      return caches.default.delete(EDGE + canonicalPathAndQuery);
    },
    close: () => mf.dispose(),
  };
}

export interface ScriptedOrigin {
  url: string;
  calls: number;
  /** What the next calls do. */
  mode: "ok" | "slow" | "error";
  bytes: Buffer;
  close(): Promise<void>;
}

/**
 * A scripted origin for faults the real one cannot be made to produce on demand (a 500, a hang).
 * It answers the origin's JSON contract and serves the bytes at its own "pre-signed" URL.
 */
export async function startScriptedOrigin(port = 0): Promise<ScriptedOrigin> {
  const state: ScriptedOrigin = {
    url: "",
    calls: 0,
    mode: "ok",
    bytes: Buffer.from(await readFile(new URL(import.meta.url))).subarray(0, 4000),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/bytes")) {
      res.writeHead(200, { "content-type": "audio/mpeg" }).end(state.bytes);
      return;
    }
    state.calls++;
    if (state.mode === "error") {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { code: "internal", message: "boom" } }));
      return;
    }
    if (state.mode === "slow") return; // never answers: the edge's timeout must fire
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        clip_url: `${state.url}/bytes`,
        cache_hit: false,
        generation_time_ms: 12,
        clip_start_ms: 0,
        clip_end_ms: 1000,
        file_size_bytes: state.bytes.length,
        clamped_to_episode_end: false,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
