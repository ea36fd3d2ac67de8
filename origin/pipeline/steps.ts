import {
  canonicalPath,
  ClipError,
  clipObjectKey,
  parseClipUrl,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyOriginRequest,
  type ClipJsonResponse,
} from "../../core/index.js";
import type { ClipCutter } from "../cut/clip-cutter.js";
import type { ClipStore, StoredClip } from "../store/clip-store.js";
import type { OriginConfig } from "../config/config.js";
import type { ClipRecord, EpisodeCatalog } from "../catalog/episode-catalog.js";
import type { ClipContext, Step } from "./pipeline.js";
import { newMeter } from "../sources/s3-source.js";

export interface StepDeps {
  config: OriginConfig;
  store: () => ClipStore;
  catalog: () => EpisodeCatalog;
  cutter: () => ClipCutter;
  now: () => number;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`pipeline order: ${what} is not known yet`);
  return value;
}

function answer(ctx: ClipContext, url: string, clip: StoredClip, cacheHit: boolean): ClipJsonResponse {
  const req = need(ctx.clip, "the request");
  return {
    clip_url: url,
    cache_hit: cacheHit,
    generation_time_ms: Date.now() - ctx.startedAt,
    // Objects written by this origin carry their facts; fall back to the request for any that do not.
    clip_start_ms: clip.startMs ?? req.startMs,
    clip_end_ms: clip.endMs ?? req.endMs,
    file_size_bytes: clip.sizeBytes,
    clamped_to_episode_end: clip.clamped ?? false,
  };
}

/**
 * How long an answer waits for its request count. The count only ranks clips for `warm --popular`, so a
 * slow or failing MongoDB must not hold up a clip that is already in S3; past this the write finishes (or
 * fails) on its own, unlogged.
 */
export const REQUEST_COUNT_WAIT_MS = 100;

type CountOutcome = "counted" | "no record" | "recorded" | "failed" | "pending";

/**
 * Counts one answered request on the clip's record; never throws, and waits at most REQUEST_COUNT_WAIT_MS.
 * With `repair`, a clip found in S3 without its record (an earlier request stored the object, then lost
 * MongoDB before recording it) gets the record now, so the catalog catches up with the store.
 */
async function countRequest(
  deps: StepDeps,
  ctx: ClipContext,
  clip: { episodeId: string; startMs: number; endMs: number },
  repair?: ClipRecord,
): Promise<void> {
  const settled = Promise.resolve()
    .then(() => deps.catalog().countRequest(clip))
    .then(async (outcome): Promise<CountOutcome> => {
      if (outcome !== "no record" || !repair) return outcome;
      await deps.catalog().recordClip(repair);
      return "recorded";
    })
    .then(
      (outcome): { outcome: CountOutcome; warn?: string } => ({ outcome }),
      (err: unknown) => ({
        outcome: "failed" as const,
        warn: `request count not recorded: ${err instanceof Error ? err.message : String(err)}`,
      }),
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<{ outcome: CountOutcome; warn?: string }>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: "pending" }), REQUEST_COUNT_WAIT_MS);
  });
  const { outcome, warn } = await Promise.race([settled, waited]);
  clearTimeout(timer);
  ctx.log.request_count = outcome;
  if (warn !== undefined) Object.assign(ctx.log, { level: "warn", warn });
}

export function clipSteps(deps: StepDeps): Step[] {
  const { config } = deps;
  return [
    {
      name: "method",
      async run(ctx) {
        if (ctx.request.method !== "GET" && ctx.request.method !== "HEAD") {
          throw new ClipError("method_not_allowed", `Method ${ctx.request.method} is not allowed; use GET`);
        }
      },
    },
    {
      // Checked before parsing so an unsigned caller learns nothing about the parser.
      name: "require-signature",
      async run(ctx) {
        if (ctx.request.header(SIGNATURE_HEADER) === undefined || ctx.request.header(TIMESTAMP_HEADER) === undefined) {
          throw new ClipError("forbidden", "Missing origin signature: only the edgeclip Worker may call this origin");
        }
      },
    },
    {
      name: "parse",
      async run(ctx) {
        ctx.clip = parseClipUrl(ctx.request.url, config.limits);
        ctx.key = clipObjectKey(ctx.clip);
        Object.assign(ctx.log, { episode_id: ctx.clip.episodeId, start_ms: ctx.clip.startMs, end_ms: ctx.clip.endMs });
      },
    },
    {
      // The signature covers the canonical request, so it can only be checked once the request is parsed.
      name: "authenticate",
      async run(ctx) {
        const signed = { method: ctx.request.method, canonicalPath: canonicalPath(need(ctx.clip, "the request")) };
        const result = await verifyOriginRequest(signed, ctx.request.header, config.originSecrets, deps.now());
        if (!result.ok) {
          ctx.log.auth = result.reason;
          throw new ClipError("forbidden", `Origin signature rejected (${result.reason})`);
        }
      },
    },
    {
      name: "check-store",
      async run(ctx) {
        const key = need(ctx.key, "the key");
        const req = need(ctx.clip, "the request");
        // Only authenticated requests get here. On a miss the cut needs the episode's seek index: its read
        // overlaps this HEAD and the catalog lookup. On a hit it is one small GET spent for nothing, and
        // none at all once the container holds the index.
        deps.cutter().prepare?.(req.episodeId);
        const found = await deps.store().find(key);
        if (!found) return;
        // The object's metadata holds the end it was recorded with (clamped at the episode's end).
        const facts = {
          episodeId: req.episodeId,
          startMs: found.startMs ?? req.startMs,
          endMs: found.endMs ?? req.endMs,
        };
        const counting = countRequest(deps, ctx, facts, { ...facts, s3Key: key, sizeBytes: found.sizeBytes });
        const url = await deps.store().presignClip(key);
        await counting;
        ctx.result = answer(ctx, url, found, true);
      },
    },
    {
      name: "lookup-episode",
      async run(ctx) {
        const clip = need(ctx.clip, "the request");
        const episode = await deps.catalog().find(clip.episodeId);
        if (!episode) throw new ClipError("episode_not_found", `Episode ${clip.episodeId} not found`);
        if (clip.startMs >= episode.durationMs) {
          throw new ClipError(
            "start_beyond_end",
            `start_time_ms ${clip.startMs} is at or past the end of episode ${clip.episodeId} (${episode.durationMs} ms)`,
            { param: "start_time_ms" },
          );
        }
        ctx.episode = episode;
        ctx.clamped = clip.endMs > episode.durationMs;
        ctx.endMs = ctx.clamped ? episode.durationMs : clip.endMs;
      },
    },
    {
      name: "cut",
      async run(ctx) {
        const clip = need(ctx.clip, "the request");
        const meter = newMeter();
        try {
          ctx.cut = await deps.cutter().cut({
            episode: need(ctx.episode, "the episode"),
            startMs: clip.startMs,
            endMs: need(ctx.endMs, "the end"),
            precise: clip.precise,
            deadline: ctx.deadline,
            marginMs: ctx.marginMs,
            meter,
          });
        } finally {
          Object.assign(ctx.log, { source_bytes_read: meter.bytes, source_requests: meter.requests });
        }
        // The audio ended before the catalog's duration: the clip is shorter, and says so.
        if (ctx.cut.audioEndMs !== undefined && ctx.cut.audioEndMs < need(ctx.endMs, "the end")) {
          ctx.endMs = ctx.cut.audioEndMs;
          ctx.clamped = true;
        }
        Object.assign(ctx.log, { cut_method: ctx.cut.method, clip_bytes: ctx.cut.bytes.length, ...ctx.cut.detail });
      },
    },
    {
      name: "upload",
      async run(ctx) {
        const facts = {
          startMs: need(ctx.clip, "the request").startMs,
          endMs: need(ctx.endMs, "the end"),
          clamped: ctx.clamped ?? false,
        };
        ctx.stored = await deps.store().put(need(ctx.key, "the key"), need(ctx.cut, "the cut").bytes, facts);
        ctx.log.stored = ctx.stored;
      },
    },
    {
      // Only now does the object exist, so only now may a record point at it.
      name: "record",
      async run(ctx) {
        const clip = need(ctx.clip, "the request");
        const endMs = need(ctx.endMs, "the end");
        ctx.log.recorded = await deps.catalog().recordClip({
          episodeId: clip.episodeId,
          startMs: clip.startMs,
          endMs,
          s3Key: need(ctx.key, "the key"),
          sizeBytes: need(ctx.cut, "the cut").bytes.length,
        });
        // A new record already counts this request; one recorded by another generator does not.
        if (ctx.log.recorded === "existed") {
          await countRequest(deps, ctx, { episodeId: clip.episodeId, startMs: clip.startMs, endMs });
        }
      },
    },
    {
      name: "presign",
      async run(ctx) {
        const key = need(ctx.key, "the key");
        const store = deps.store();
        // When another request stored this clip first, describe the object that is actually there.
        const stored: StoredClip | undefined =
          ctx.stored === "existed"
            ? await store.find(key)
            : {
                startMs: need(ctx.clip, "the request").startMs,
                endMs: ctx.endMs,
                clamped: ctx.clamped,
                sizeBytes: need(ctx.cut, "the cut").bytes.length,
              };
        if (!stored)
          throw new ClipError("service_unavailable", "S3 unavailable: the stored clip vanished", { retryAfterS: 1 });
        ctx.result = answer(ctx, await store.presignClip(key), stored, false);
      },
    },
  ];
}
