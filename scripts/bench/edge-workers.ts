// The Workers the edge bench runs side by side in workerd: the edge as deployed, the same edge with its memory
// layer off (every hit read from the Cache API), a constant-body Worker (the least any Worker costs) and a
// cache-match-only Worker (the least any design that serves from the Cache API costs: one
// `caches.default.match` and its answer as it is, #15).
import path from "node:path";
import { Miniflare, type MiniflareOptions, type WorkerOptions } from "miniflare";
import { CLIP_CACHE_CONTROL } from "../../core/index.js";
import { clipMetadata } from "../../worker/clip/clip.js";

// worker/storage/clip-storage.ts's EDGE_CACHE_HEADER_PREFIX (that module needs the Workers types to compile).
const EDGE_CACHE_HEADER_PREFIX = "x-edgeclip-";
const SECRET = "bench-origin-secret-0123456789";
const COMPATIBILITY_DATE = "2026-04-01";

/** The headers the edge stores beside a clip of `size` bytes, so the floor's entry costs the cache the same. */
function storedHeaders(size: number): Record<string, string> {
  const facts = { startMs: 0, endMs: 30_000, clamped: false, etag: `"${"ab".repeat(16)}"`, generationTimeMs: 0 };
  const headers: Record<string, string> = {
    "content-type": "audio/mpeg",
    "cache-control": CLIP_CACHE_CONTROL,
    "content-length": String(size),
    etag: facts.etag,
  };
  for (const [name, value] of Object.entries(clipMetadata({ ...facts, container: "mp3" }, size))) {
    headers[EDGE_CACHE_HEADER_PREFIX + name] = value;
  }
  return headers;
}

const BASELINE = `const bodies = new Map();
  export default { fetch(request) {
    const size = Number(new URL(request.url).searchParams.get("size"));
    if (!bodies.has(size)) bodies.set(size, new Uint8Array(size).fill(0x55));
    return new Response(bodies.get(size), { headers: { "content-type": "audio/mpeg" } });
  } };`;

/** A miss stores a constant body with the edge's headers; every later request is one match, answered as is. */
function floorScript(sizes: readonly number[]): string {
  const headers = Object.fromEntries(sizes.map((size) => [size, storedHeaders(size)]));
  return `const HEADERS = ${JSON.stringify(headers)};
  export default { async fetch(request) {
    const hit = await caches.default.match(request);
    if (hit) return hit;
    const size = Number(new URL(request.url).searchParams.get("size"));
    const body = new Uint8Array(size).fill(0x55);
    await caches.default.put(request, new Response(body, { headers: HEADERS[size] }));
    return new Response(body, { headers: HEADERS[size] });
  } };`;
}

/** Where the two reference Workers answer; the edge answers everything else. */
export const BASELINE_PATH = "/__baseline/";
export const FLOOR_PATH = "/__floor/";
/**
 * The edge without its memory layer answers this host. Node's fetch cannot set Host, so the bench names the
 * URL in Miniflare's `MF-Original-URL` header, which its entry worker routes by (as wrangler dev's proxy does).
 */
export const CACHE_ONLY_HOST = "cache-only.bench";
export const ORIGINAL_URL_HEADER = "MF-Original-URL";

/** One JSON log line per request would drown the bench's table; errors still reach stderr. */
export const QUIET_STDIO: Pick<MiniflareOptions, "handleRuntimeStdio"> = {
  handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
    stdout.resume();
    stderr.pipe(process.stderr);
  },
};

/**
 * The edge Worker as `wrangler deploy` builds it (`script`), with the bindings wrangler.toml gives it: R2 and
 * the two generation limits (whose values a bench's few dozen new clips stay under).
 */
export function edgeWorker(
  script: string,
  originUrl: string,
  originSecret = SECRET,
  vars: Record<string, string> = {},
): WorkerOptions {
  return {
    name: "edge",
    modules: true,
    scriptPath: script,
    // The bundle lives in a temp folder; module paths are resolved from there.
    modulesRoot: path.dirname(script),
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: ["CLIPS"],
    ratelimits: {
      GENERATE_BURST: { simple: { limit: 50, period: 10 } },
      GENERATE_SUSTAINED: { simple: { limit: 150, period: 60 } },
    },
    bindings: { ORIGIN_URL: originUrl, ORIGIN_SECRET: originSecret, ...vars },
  };
}

/**
 * The Worker as deployed, the same Worker without memory, and the two reference Workers, in one workerd (one Miniflare, routed by path): on a
 * shared 2-core machine, separate workerd processes made the ratios swing by tens of percent between runs.
 */
export function startWorkers(script: string, originUrl: string, sizes: readonly number[]): Miniflare {
  const reference = { modules: true, compatibilityDate: COMPATIBILITY_DATE };
  return new Miniflare({
    ...QUIET_STDIO,
    workers: [
      edgeWorker(script, originUrl),
      {
        ...edgeWorker(script, originUrl, SECRET, { EDGE_MEMORY_MIB: "0" }),
        name: "edge-cache-only",
        routes: [`${CACHE_ONLY_HOST}/*`],
      },
      { ...reference, name: "baseline", script: BASELINE, routes: [`*${BASELINE_PATH}*`] },
      { ...reference, name: "floor", script: floorScript(sizes), routes: [`*${FLOOR_PATH}*`] },
    ],
  });
}
