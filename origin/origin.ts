import type { S3Client } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { causeChain, toClipError } from "../core/index.js";
import type { ClipCutter } from "./cut/clip-cutter.js";
import { createClients, type OriginClients, type S3Credentials } from "./config/clients.js";
import { ClipStore } from "./store/clip-store.js";
import type { OriginConfig } from "./config/config.js";
import type { SpawnFn } from "./cut/ffmpeg-cut.js";
import { EpisodeCatalog, isHttpsLocation, type Episode } from "./catalog/episode-catalog.js";
import { httpsAudioSource, s3AudioSource, type AudioSource } from "./sources/audio-source.js";
import { httpsSourcePolicy, type HttpsSourcePolicy } from "./sources/https/policy.js";
import { createEpisodeCutter } from "./cut/episode-cutter.js";
import { SeekIndexStore } from "./store/seek-index-store.js";
import { normalizeEvent, type ApiGatewayEvent, type OriginRequest } from "./lambda/event.js";
import { resolveFfmpegPath, type FfmpegLocation } from "./cut/ffmpeg-path.js";
import { clipResponse, errorResponse, type LambdaHttpResponse } from "./lambda/response.js";
import { createPipeline, type BeforeStep } from "./pipeline/pipeline.js";
import { withMetrics } from "./observe/metrics.js";
import { edgeRequestId, stdoutSink, writeLog, type LogSink } from "./observe/request-log.js";
import { requestDeadline, type LambdaClock } from "./lambda/deadline.js";

export interface OriginDeps {
  config: OriginConfig;
  /** Shared clients; by default created from the config on first use. */
  clients?: OriginClients;
  /** For local S3 servers; in Lambda the role's credentials are found by the SDK. */
  s3Credentials?: S3Credentials;
  /** Where to look for `ffmpeg` after FFMPEG_PATH and ffmpeg-static (default: process.env.PATH). */
  ffmpegSearchPath?: string;
  importFfmpegStatic?: () => Promise<string | null | undefined>;
  /** Spawns FFmpeg; tests wrap it to count runs. */
  spawn?: SpawnFn;
  /** Parent of FFmpeg's per-cut temp dirs (default: the OS temp dir). */
  tmpRoot?: string;
  log?: LogSink;
  /** Clock for signature freshness. */
  now?: () => number;
  /** Called before each named step; tests use it to stop a server at an exact point (fault injection). */
  beforeStep?: BeforeStep;
  /**
   * Replaces the read-and-cut step (default: the seek-index frame cutter); the benchmark measures the
   * naive strategies through the same pipeline with it.
   */
  cutter?: (parts: OriginParts) => ClipCutter;
  /** Tests only: the https policy with a test CA and resolver (production builds it from the config). */
  httpsPolicy?: HttpsSourcePolicy;
}

/** The shared, lazily created parts a cutter may use. */
export interface OriginParts {
  s3: () => S3Client;
  openSource: (episode: Episode, deadline: number) => AudioSource;
  store: () => ClipStore;
  indexes: () => SeekIndexStore;
  ffmpegPath: string;
}

export interface Origin {
  handle(event: ApiGatewayEvent, context: LambdaClock): Promise<LambdaHttpResponse>;
  readonly ffmpeg: FfmpegLocation;
  close(): Promise<void>;
}

/**
 * Builds the origin once per container: finds FFmpeg (throwing "FFmpeg not found" here, at cold start,
 * rather than on the first miss) and wires the steps to lazily created clients.
 */
export async function createOrigin(deps: OriginDeps): Promise<Origin> {
  const { config } = deps;
  const log = deps.log ?? stdoutSink;
  const now = deps.now ?? Date.now;
  const ffmpeg = await resolveFfmpegPath({
    configuredPath: config.ffmpegPath,
    searchPath: deps.ffmpegSearchPath,
    ...(deps.importFfmpegStatic ? { importStatic: deps.importFfmpegStatic } : {}),
  });
  writeLog(log, {
    level: ffmpeg.warning ? "warn" : "info",
    msg: "origin ready",
    ffmpeg: ffmpeg.path,
    ffmpeg_source: ffmpeg.source,
    warning: ffmpeg.warning,
  });

  const clients =
    deps.clients ?? createClients(config, deps.s3Credentials ? { s3Credentials: deps.s3Credentials } : {});
  let store: ClipStore | undefined;
  let catalog: EpisodeCatalog | undefined;
  let indexes: SeekIndexStore | undefined;
  const parts: OriginParts = {
    s3: () => clients.s3(),
    openSource: (episode, deadline) =>
      isHttpsLocation(episode.audio)
        ? httpsAudioSource(episode.audio.url, {
            ...(deps.httpsPolicy ?? httpsSourcePolicy(config)),
            // Reads still waiting at the deadline stop there: the answer is a 504, not a Lambda kill.
            signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
          })
        : s3AudioSource(clients.s3(), episode.audio),
    store: () => (store ??= new ClipStore(clients.s3(), config.clipsBucket, config.presignExpiresS)),
    indexes: () => (indexes ??= new SeekIndexStore(clients.s3(), config.clipsBucket)),
    ffmpegPath: ffmpeg.path,
  };
  const cutter =
    deps.cutter?.(parts) ??
    createEpisodeCutter({
      ...parts,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
  const pipeline = createPipeline(
    {
      config,
      store: parts.store,
      catalog: () =>
        (catalog ??= new EpisodeCatalog(clients.mongo().db(config.mongodbDb), {
          collections: config.collections,
          fields: config.episodeFields,
          rawBucket: config.rawBucket,
          hosts: clients.mongoHosts(),
          selectionTimeoutMs: config.mongoServerSelectionTimeoutMs,
        })),
      cutter: () => cutter,
      now,
    },
    config.limits,
  );

  async function handle(event: ApiGatewayEvent, context: LambdaClock): Promise<LambdaHttpResponse> {
    const startedAt = Date.now();
    const fields: Record<string, unknown> = { level: "info", msg: "clip request" };
    let request: OriginRequest | undefined;
    try {
      request = normalizeEvent(event);
      Object.assign(fields, {
        request_id: request.requestId,
        edge_request_id: edgeRequestId(request.header("x-request-id")),
        method: request.method,
        path: request.url.pathname + request.url.search,
        source_ip: request.sourceIp,
      });
      const base = {
        request,
        startedAt,
        deadline: requestDeadline(context, config.ffmpegTimeoutMarginMs, startedAt),
        marginMs: config.ffmpegTimeoutMarginMs,
        log: fields,
      };
      const body = await pipeline.run(base, deps.beforeStep);
      Object.assign(fields, {
        status: 200,
        outcome: body.cache_hit ? "hit" : "generated",
        generation_time_ms: body.generation_time_ms,
        file_size_bytes: body.file_size_bytes,
        clamped: body.clamped_to_episode_end,
      });
      return clipResponse(body);
    } catch (thrown) {
      const err = toClipError(thrown);
      Object.assign(fields, { status: err.status, outcome: "error", code: err.code, error: err.message });
      if (err.detail !== undefined) fields.detail = err.detail;
      if (!err.expose) {
        // The detail stays here; the body carries only this id, so the line must always have one.
        fields.request_id ??= (event as { requestContext?: { requestId?: string } } | undefined)?.requestContext
          ?.requestId;
        fields.request_id ??= randomUUID();
      }
      if (err.status >= 500) Object.assign(fields, { level: "error", cause: causeChain(err.cause) });
      return errorResponse(err, fields.request_id as string | undefined);
    } finally {
      fields.duration_ms = Date.now() - startedAt;
      writeLog(log, withMetrics(fields, config.metricsNamespace, Date.now()));
    }
  }

  return { handle, ffmpeg, close: () => clients.close() };
}
