import {
  DEFAULT_LIMITS,
  parseUrlSigningKeys,
  validateLimits,
  type ClipLimits,
  type UrlSigningKey,
} from "../../core/index.js";

/** Bindings and settings from wrangler.toml (vars) and `wrangler secret put` (secrets). */
export interface Env {
  CLIPS: R2Bucket;
  /**
   * Workers Rate Limiting bindings on new origin calls per address: a 10 s burst window and a 60 s sustained
   * one (wrangler.toml [[ratelimits]]). Either may be absent; with neither, generation is not limited.
   */
  GENERATE_BURST?: RateLimit;
  GENERATE_SUSTAINED?: RateLimit;
  ORIGIN_URL?: string;
  ORIGIN_SECRET?: string;
  ORIGIN_TIMEOUT_MS?: string;
  MIN_CLIP_MS?: string;
  MAX_CLIP_MS?: string;
  ALLOWED_ORIGINS?: string;
  URL_SIGNING_KEYS?: string;
  EDGE_MEMORY_MIB?: string;
  EDGE_MEMORY_TTL_S?: string;
}

/** The isolate's copies of its hottest clips (worker/storage/hot-clips.ts). */
export interface EdgeMemoryConfig {
  budgetBytes: number;
  ttlMs: number;
}

export interface WorkerConfig {
  originUrl: string;
  originSecret: string;
  originTimeoutMs: number;
  limits: ClipLimits;
  /** undefined means any origin ("*"). */
  allowedOrigins: readonly string[] | undefined;
  signingKeys: readonly UrlSigningKey[] | undefined;
  /** undefined when EDGE_MEMORY_MIB is 0: every hit is read from the edge cache. */
  memory: EdgeMemoryConfig | undefined;
}

// An isolate has 128 MB in all, shared with the code, the requests under way and their bodies.
const MAX_EDGE_MEMORY_MIB = 64;
const MAX_EDGE_MEMORY_TTL_S = 3600;

export class WorkerConfigError extends Error {
  override readonly name = "WorkerConfigError";
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]{1,9}$/.test(raw)) {
    problems.push(`${name} must be a whole number (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return Number(raw);
}

const cache = new WeakMap<Env, WorkerConfig>();

/** Read once per isolate (env is the same object for every request of an isolate); all problems at once. */
export function workerConfig(env: Env): WorkerConfig {
  const known = cache.get(env);
  if (known) return known;
  const problems: string[] = [];
  let originUrl = "";
  try {
    originUrl = new URL(env.ORIGIN_URL ?? "").toString().replace(/\/$/, "");
  } catch {
    problems.push("ORIGIN_URL must be the origin's http(s) base URL (wrangler.toml [vars])");
  }
  if (!env.ORIGIN_SECRET || env.ORIGIN_SECRET.length < 16) {
    problems.push("ORIGIN_SECRET must be set to the origin's shared secret (wrangler secret put ORIGIN_SECRET)");
  }
  const limits = {
    minClipMs: wholeNumber("MIN_CLIP_MS", env.MIN_CLIP_MS, DEFAULT_LIMITS.minClipMs, problems),
    maxClipMs: wholeNumber("MAX_CLIP_MS", env.MAX_CLIP_MS, DEFAULT_LIMITS.maxClipMs, problems),
  };
  try {
    validateLimits(limits);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const originTimeoutMs = wholeNumber("ORIGIN_TIMEOUT_MS", env.ORIGIN_TIMEOUT_MS, 30_000, problems);
  let signingKeys: UrlSigningKey[] | undefined;
  if (env.URL_SIGNING_KEYS) {
    try {
      signingKeys = parseUrlSigningKeys(env.URL_SIGNING_KEYS);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const memoryMib = wholeNumber("EDGE_MEMORY_MIB", env.EDGE_MEMORY_MIB, 32, problems);
  if (memoryMib > MAX_EDGE_MEMORY_MIB)
    problems.push(`EDGE_MEMORY_MIB must be at most ${MAX_EDGE_MEMORY_MIB} (got ${memoryMib})`);
  const memoryTtlS = wholeNumber("EDGE_MEMORY_TTL_S", env.EDGE_MEMORY_TTL_S, 60, problems);
  if (memoryTtlS < 1 || memoryTtlS > MAX_EDGE_MEMORY_TTL_S) {
    problems.push(`EDGE_MEMORY_TTL_S must be between 1 and ${MAX_EDGE_MEMORY_TTL_S} seconds (got ${memoryTtlS})`);
  }
  const origins = (env.ALLOWED_ORIGINS ?? "*")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (problems.length > 0) {
    throw new WorkerConfigError(`Invalid worker configuration: ${problems.join("; ")}`);
  }
  const config: WorkerConfig = {
    originUrl,
    originSecret: env.ORIGIN_SECRET as string,
    originTimeoutMs,
    limits,
    allowedOrigins: origins.length === 0 || origins.includes("*") ? undefined : origins,
    signingKeys,
    memory: memoryMib === 0 ? undefined : { budgetBytes: memoryMib * 2 ** 20, ttlMs: memoryTtlS * 1000 },
  };
  cache.set(env, config);
  return config;
}
