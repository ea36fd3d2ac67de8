import {
  ClipError,
  URL_SIGNATURE_PARAMS,
  canonicalPath,
  clipObjectKey,
  parseClipUrl,
  verifyClipUrlSignature,
  type ClipJsonResponse,
  type ClipRequest,
} from "../core/index.js";
import type { Clip, Layer, OriginFetcher } from "./clip.js";
import type { WorkerConfig } from "./env.js";
import { LAYER_HEADER, json } from "./http.js";
import { audioResponse } from "./respond.js";
import { readEdgeCache, readR2, writeEdgeCache, writeR2, type EdgeCache } from "./storage.js";

/** Storage and the origin as parameters, so each step can be exercised against real or small fake parts. */
export interface ClipDeps {
  config: WorkerConfig;
  cache: EdgeCache;
  bucket: R2Bucket;
  origin: OriginFetcher;
  limiter: RateLimit | undefined;
  waitUntil(promise: Promise<unknown>): void;
  log(entry: Record<string, unknown>): void;
}

interface ClipContext {
  readonly request: Request;
  readonly url: URL;
  readonly requestId: string;
  readonly startedAt: number;
  clip?: ClipRequest;
  found?: { clip: Clip; layer: Layer; holdUntil?: (filled: Promise<unknown>) => void };
}

type Step = { name: string; run(ctx: ClipContext, deps: ClipDeps): Promise<void> };

const SIGNATURE_REASONS = {
  missing: "This URL must be signed (kid, exp and sig parameters)",
  malformed: "The URL signature parameters are malformed",
  unknown_key: "The URL was signed with an unknown key",
  expired: "The signed URL has expired",
  mismatch: "The URL signature does not match",
} as const;

const requireClip = (ctx: ClipContext): ClipRequest => ctx.clip as ClipRequest;
const cacheKey = (ctx: ClipContext) => new Request(ctx.url.origin + canonicalPath(requireClip(ctx)));

/** The request's way through the edge, in order; a step that finds the clip ends the lookup. */
const STEPS: readonly Step[] = [
  {
    name: "parse",
    async run(ctx, { config }) {
      ctx.clip = parseClipUrl(ctx.url, config.limits);
    },
  },
  {
    name: "verify-signature",
    async run(ctx, { config }) {
      if (!config.signingKeys) return;
      const result = await verifyClipUrlSignature(requireClip(ctx), ctx.url.searchParams, config.signingKeys);
      if (!result.ok) throw new ClipError("forbidden", SIGNATURE_REASONS[result.reason]);
    },
  },
  {
    name: "edge-cache",
    async run(ctx, { cache }) {
      const clip = await readEdgeCache(cache, cacheKey(ctx));
      if (clip) ctx.found = { clip, layer: "edge-cache" };
    },
  },
  {
    name: "r2",
    async run(ctx, { bucket, log }) {
      try {
        const clip = await readR2(bucket, clipObjectKey(requireClip(ctx)));
        if (clip) ctx.found = { clip, layer: "r2" };
      } catch (err) {
        // The mirror is an optimization: when it fails, the origin still has the clip.
        log({ level: "warn", msg: "r2 read failed, asking the origin", requestId: ctx.requestId, error: String(err) });
      }
    },
  },
  {
    name: "origin",
    async run(ctx, { origin, limiter }) {
      // Only generation is limited: it is the expensive path, and hits above never reach this step.
      if (limiter) {
        const ip = ctx.request.headers.get("cf-connecting-ip") ?? "unknown";
        const { success } = await limiter.limit({ key: ip });
        if (!success) {
          throw new ClipError("rate_limited", "Too many new clips requested from this address; try again in a minute", {
            retryAfterS: 60,
          });
        }
      }
      const { clip, layer, holdUntil } = await origin(requireClip(ctx), ctx.requestId);
      ctx.found = { clip, layer, ...(holdUntil ? { holdUntil } : {}) };
    },
  },
];

function wantsJson(request: Request, url: URL): boolean {
  if (url.searchParams.get("response") === "json") return true;
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("audio/");
}

/** The edge URL that always serves this clip; signature parameters are kept when signing is on. */
function edgeUrl(ctx: ClipContext, config: WorkerConfig): string {
  const url = new URL(canonicalPath(requireClip(ctx)), ctx.url.origin);
  if (config.signingKeys) {
    for (const name of Object.values(URL_SIGNATURE_PARAMS)) {
      const value = ctx.url.searchParams.get(name);
      if (value !== null) url.searchParams.set(name, value);
    }
  }
  return url.toString();
}

/** Who the request is, as stamped by the router's `before` stage. */
export interface RequestStamp {
  requestId: string;
  startedAt: number;
}

export async function handleClip(request: Request, deps: ClipDeps, stamp: RequestStamp): Promise<Response> {
  const ctx: ClipContext = { request, url: new URL(request.url), ...stamp };
  for (const step of STEPS) {
    if (ctx.found) break;
    await step.run(ctx, deps);
  }
  const found = ctx.found;
  if (!found) throw new ClipError("internal", "No layer produced the clip");
  const { clip, layer } = found;
  // Fill the layers in front of the one that answered, after the response has gone out. allSettled, not
  // all: once the waitUntil promise settles the runtime may cancel I/O still under way, so one failed write
  // (R2 down) must not cut the other short.
  if (layer !== "edge-cache") {
    const fills: [string, Promise<void>][] = [["edge-cache", writeEdgeCache(deps.cache, cacheKey(ctx), clip)]];
    if (layer !== "r2") fills.push(["r2", writeR2(deps.bucket, clipObjectKey(requireClip(ctx)), clip)]);
    const filled = Promise.allSettled(fills.map(([, write]) => write));
    found.holdUntil?.(filled);
    deps.waitUntil(
      filled.then((results) =>
        results.forEach((result, i) => {
          if (result.status === "rejected") {
            const target = fills[i]?.[0];
            deps.log({
              level: "warn",
              msg: `filling ${target} failed`,
              requestId: ctx.requestId,
              error: String(result.reason),
            });
          }
        }),
      ),
    );
  }
  if (wantsJson(request, ctx.url)) {
    const body: ClipJsonResponse = {
      clip_url: edgeUrl(ctx, deps.config),
      cache_hit: layer !== "generated",
      generation_time_ms: clip.generationTimeMs,
      clip_start_ms: clip.startMs,
      clip_end_ms: clip.endMs,
      file_size_bytes: clip.bytes.byteLength,
      clamped_to_episode_end: clip.clamped,
    };
    return json(body, 200, { "cache-control": "no-store", vary: "Accept", [LAYER_HEADER]: layer });
  }
  return audioResponse(request, clip, layer, ctx.startedAt);
}
