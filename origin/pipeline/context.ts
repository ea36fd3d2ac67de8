import type { ClipExtent, ClipJsonResponse, ParsedClip } from "../../core/index.js";
import type { ClipRecord, EpisodeCatalog, Episode } from "../catalog/episode-catalog.js";
import type { OriginConfig } from "../config/config.js";
import type { ClipCutter, CutOutcome } from "../cut/clip-cutter.js";
import type { ClipLabeler } from "../label/clip-labeler.js";
import type { OriginRequest } from "../lambda/event.js";
import type { ClipStore, StoredClip } from "../store/clip-store.js";

/** What every request has before any step runs. */
export interface RequestContext {
  readonly request: OriginRequest;
  readonly startedAt: number;
  /** Epoch ms by which work must stop: the Lambda deadline minus FFMPEG_TIMEOUT_MARGIN_MS. */
  readonly deadline: number;
  readonly marginMs: number;
  /** Fields for the request's single log line. */
  readonly log: Record<string, unknown>;
}

/** What one clip request learns on its way through the steps; `clip` is parsed before the first. */
export interface ClipContext extends RequestContext {
  readonly clip: ParsedClip;
  /** The object already in the store: a hit. */
  found?: StoredClip;
  episode?: Episode;
  /** What the clip covers: clamped at the episode's end, then at the audio's. */
  extent?: ClipExtent;
  cut?: CutOutcome;
  stored?: "created" | "existed";
  recorded?: "inserted" | "existed";
  /** The popularity count under way (waited for, briefly, before answering). */
  counting?: Promise<void>;
  /** Set by the last step. */
  result?: ClipJsonResponse;
}

/** The parts the steps use, created lazily so a request that stops early never opens a connection. */
export interface StepDeps {
  config: OriginConfig;
  store: () => ClipStore;
  catalog: () => EpisodeCatalog;
  cutter: () => ClipCutter;
  /** Tags new MP3 clips (#17); absent, clips are stored as cut. */
  labeler?: () => ClipLabeler;
  now: () => number;
}

export type { ClipRecord };

/** A step read a fact an earlier step should have set: a bug in the step list, not a client error. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline order: ${what} is not known yet`);
  return value;
}

export const isMiss = (ctx: ClipContext): boolean => ctx.found === undefined;
