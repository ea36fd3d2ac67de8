import type { ParsedClip } from "../../core/index.js";
import type { WorkerConfig } from "../config/env.js";
import type { InFlight, Lead } from "../origin/in-flight.js";
import type { EdgeCache } from "../storage/clip-storage.js";
import type { HotClips } from "../storage/hot-clips.js";
import type { Clip, Layer, OriginFetcher } from "./clip.js";
import type { ServedClip } from "./served-clip.js";

/** The per-address limits on new origin calls, each with the window its Retry-After names. */
export interface GenerationLimit {
  limiter: RateLimit;
  periodS: 10 | 60;
}

/** Storage and the origin as parameters, so each step can be exercised against real or small fake parts. */
export interface ClipDeps {
  config: WorkerConfig;
  cache: EdgeCache;
  /** The isolate's copies of its hottest clips; absent when EDGE_MEMORY_MIB is 0. */
  hot?: HotClips;
  bucket: R2Bucket;
  origin: OriginFetcher;
  inFlight: InFlight;
  limits: readonly GenerationLimit[];
  waitUntil(promise: Promise<unknown>): void;
  log(entry: Record<string, unknown>): void;
}

/** Who the request is, as stamped by the router's `before` stage. */
export interface RequestStamp {
  requestId: string;
  startedAt: number;
}

/** One clip request on its way through the edge's steps; `clip` is parsed before the first. */
export interface EdgeClipContext extends RequestStamp {
  readonly request: Request;
  readonly url: URL;
  readonly clip: ParsedClip;
  /**
   * A hit whose bytes stay a stream until the response sends them: the edge cache's, or R2's when R2 vouches
   * for them (its copy into the edge cache is already among the fills); or the isolate's copy in memory.
   * Nothing behind it runs.
   */
  cached?: { clip: ServedClip; layer: Extract<Layer, "edge-memory" | "edge-cache" | "r2"> };
  /** The clip, once a layer behind the edge cache has it (its bytes in memory, for the fills). */
  found?: { clip: Clip; layer: Layer };
  /** R2 has no object under any of the clip's keys (not set when the read failed or an object failed its check). */
  mirrorMissed?: boolean;
  /** Set when this request starts the origin call that identical misses join. */
  lead?: Lead;
  /** The edge cache and R2 writes under way (after the answer, in waitUntil). */
  fills: [target: string, write: Promise<void>][];
  response?: Response;
}

export const notFound = (ctx: EdgeClipContext): boolean => ctx.found === undefined && ctx.cached === undefined;
export const leads = (ctx: EdgeClipContext): boolean => notFound(ctx) && ctx.lead !== undefined;
