import type { ClipExtent, ClipJsonResponse, InlineClipFacts, ParsedClip } from "../../core/index.js";
import type { ClipRecord, EpisodeCatalog, Episode } from "../catalog/episode-catalog.js";
import type { OriginConfig } from "../config/config.js";
import type { ClipCutter, CutOutcome } from "../cut/clip-cutter.js";
import type { ClipLabeler } from "../label/clip-labeler.js";
import type { OriginRequest } from "../lambda/event.js";
import type { ReadMeter } from "../sources/s3-source.js";
import type { ClipStore, FoundClip } from "../store/clip-store.js";

/** What every request has before any step runs. */
export interface RequestContext {
  readonly request: OriginRequest;
  readonly startedAt: number;
  /** Epoch ms by which work must stop: the Lambda deadline minus FFMPEG_TIMEOUT_MARGIN_MS. */
  readonly deadline: number;
  readonly marginMs: number;
  /** Fields for the request's single log line. */
  readonly log: Record<string, unknown>;
  /**
   * Writes a line of its own, under the request's id, for an outcome the answer did not wait for (a failed
   * popularity count). In Lambda it may be written at the container's next invocation.
   */
  readonly later: (fields: Record<string, unknown>) => void;
}

/** What one clip request learns on its way through the steps; `clip` is parsed before the first. */
export interface ClipContext extends RequestContext {
  readonly clip: ParsedClip;
  /** The caller (the Worker) takes a fresh clip's bytes in the answer (ORIGIN_ACCEPT). */
  readonly takesBytes: boolean;
  /** The Worker's R2 mirror had no such clip (MIRROR_HEADER): the store check may wait for the cut (check-store). */
  readonly mirrorMissed: boolean;
  /** "deferred": the store was not checked before the cut, which was cheap; the conditional PUT checks it. */
  storeCheck?: "deferred";
  /** The object already in the store: a hit. */
  found?: FoundClip;
  /** The catalog read, started before the store check (prefetch-episode); awaited only by a miss. */
  episodeRead?: Promise<Episode | undefined>;
  episode?: Episode;
  /** What the clip covers: clamped at the episode's end, then at the audio's. */
  extent?: ClipExtent;
  /** The cut started before the store check (speculate-cut); undefined inside when it did not apply. */
  speculated?: Promise<CutOutcome | undefined>;
  /**
   * Set when that cut started before the catalog answered, from what the catalog said at this container's last
   * cut of the episode: the cut step keeps it only if the catalog still says the same.
   */
  speculatedFor?: Episode;
  /** Source bytes and requests of this request's cuts, speculative or not. */
  meter?: ReadMeter;
  cut?: CutOutcome;
  stored?: "created" | "existed";
  /** SHA-256 (hex) of the clip as stored, sent with its PUT (and in a bytes answer). */
  sha256?: string;
  recorded?: "inserted" | "existed";
  /** Set by the last step. */
  result?: ClipAnswer;
}

/** The origin's answer: the JSON with a pre-signed URL, or a fresh clip's bytes with the same facts. */
export type ClipAnswer =
  { kind: "url"; body: ClipJsonResponse } | { kind: "bytes"; facts: InlineClipFacts; bytes: Uint8Array };

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

/** The key of this request's clip: where it was found, or where the cut's container puts it. */
export function clipKey(ctx: ClipContext): string {
  return ctx.found?.key ?? ctx.clip.objectKeys[need(ctx.cut, "the cut").container];
}
