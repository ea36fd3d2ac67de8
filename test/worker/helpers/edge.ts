import { rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { Miniflare, type WorkerOptions } from "miniflare";
import { expectNoInternals } from "../../shared/public-answer.js";
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
  /** New origin calls per address per 60 s (GENERATE_SUSTAINED); default: high enough never to refuse. */
  generateLimit?: number;
  /** New origin calls per address per 10 s (GENERATE_BURST); default: high enough never to refuse. */
  burstLimit?: number;
  /** Replace the R2 binding with one whose every call fails (scripted fault: local R2 cannot be made to fail). */
  failingR2?: boolean;
}

export interface Edge {
  mf: Miniflare;
  /** The Worker's console lines (JSON logs); printed too when EDGECLIP_WORKER_LOGS is set. */
  logs: string[];
  fetch(pathAndQuery: string, init?: { method?: string; headers?: Record<string, string> }): Promise<Response>;
  bucket(): ReturnType<Miniflare["getR2Bucket"]>;
  /** Removes the canonical entry from the edge cache, to reach the layers behind it. */
  evict(canonicalPathAndQuery: string): Promise<boolean>;
  /** Whether the edge cache holds an entry under exactly this URL. */
  cached(pathAndQuery: string): Promise<boolean>;
  /** The Worker's error log line for a public error body (found by the request id the body carries). */
  errorLog(body: unknown): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

/**
 * A stand-in R2 binding for the fault R2 cannot produce on demand, loaded as a workerd wrapped binding so
 * the Worker bundle under test is unchanged.
 */
const FAILING_R2 = `export default function () {
  const fail = async () => { throw new Error("R2 unavailable (scripted fault)"); };
  return { get: fail, head: fail, put: fail, delete: fail, list: fail };
}`;

/** The Worker in workerd (Miniflare), with real local R2, the real Cache API and the rate limit binding. */
export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const { script } = await buildWorker();
  // A deliberately broken ORIGIN_URL (the misconfiguration test) has no host to look for.
  const origin = URL.canParse(opts.originUrl) ? new URL(opts.originUrl) : undefined;
  const originNames = origin ? [origin.host, `:${origin.port || "80"}`] : [];
  const logs: string[] = [];
  const edgeWorker: WorkerOptions = {
    name: "edge",
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    compatibilityDate: COMPATIBILITY_DATE,
    ratelimits: {
      GENERATE_BURST: { simple: { limit: opts.burstLimit ?? 100_000, period: 10 } },
      GENERATE_SUSTAINED: { simple: { limit: opts.generateLimit ?? 100_000, period: 60 } },
    },
    bindings: {
      ORIGIN_URL: opts.originUrl,
      ORIGIN_SECRET: opts.originSecret,
      ...opts.vars,
    },
    ...(opts.failingR2 ? { wrappedBindings: { CLIPS: "failing-r2" } } : { r2Buckets: ["CLIPS"] }),
  };
  const mf = new Miniflare({
    workers: opts.failingR2 ? [edgeWorker, { name: "failing-r2", modules: true, script: FAILING_R2 }] : [edgeWorker],
    // One JSON line per request would bury vitest's report; tests read them from `logs` instead.
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      for (const stream of [stdout, stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          logs.push(line);
          if (process.env.EDGECLIP_WORKER_LOGS) console.log(line);
        });
      }
    },
  });
  await mf.ready;
  return {
    mf,
    logs,
    async fetch(pathAndQuery, init = {}) {
      const res = await mf.dispatchFetch(EDGE + pathAndQuery, {
        method: init.method ?? "GET",
        headers: { "cf-connecting-ip": "198.51.100.1", ...init.headers },
      });
      // Miniflare's Response is undici's; copy into a Node Response so tests can use the standard API.
      const body = init.method === "HEAD" || res.status === 304 ? null : await res.arrayBuffer();
      // Every error any edge test provokes (the fault matrix included) is checked for internals here.
      if (res.status >= 400) {
        const headers = Object.fromEntries(res.headers.entries());
        const text = body ? Buffer.from(body).toString() : "";
        expectNoInternals({ status: res.status, headers, body: text }, originNames);
      }
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
    async cached(pathAndQuery) {
      const caches = await mf.getCaches();
      const hit = await caches.default.match(EDGE + pathAndQuery);
      await hit?.arrayBuffer();
      return hit !== undefined;
    },
    errorLog(body) {
      const id = (body as { error?: { request_id?: unknown } }).error?.request_id;
      if (typeof id !== "string") return undefined;
      return logs
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.requestId === id && entry.error !== undefined);
    },
    close: () => mf.dispose(),
  };
}
