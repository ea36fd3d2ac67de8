import type { S3Client } from "@aws-sdk/client-s3";
import type { EpisodeCatalog, Episode } from "./catalog/episode-catalog.js";
import { createClients, type OriginClients, type S3Credentials } from "./config/clients.js";
import type { OriginConfig } from "./config/config.js";
import type { ClipCutter } from "./cut/clip-cutter.js";
import { createEpisodeCutter } from "./cut/episode-cutter.js";
import type { SpawnFn } from "./cut/ffmpeg-cut.js";
import { resolveFfmpegPath, type FfmpegLocation } from "./cut/ffmpeg-path.js";
import type { LambdaClock } from "./lambda/deadline.js";
import type { ApiGatewayEvent } from "./lambda/event.js";
import { handleEvent } from "./lambda/handle-event.js";
import { routeEvent } from "./episodes/route-event.js";
import { clipLabeler } from "./label/clip-labeler.js";
import type { LambdaHttpResponse } from "./lambda/response.js";
import { stdoutSink, writeLog, type LogSink } from "./observe/request-log.js";
import { originParts } from "./origin-parts.js";
import { createPipeline, type BeforeStep } from "./pipeline/pipeline.js";
import type { AudioSource } from "./sources/audio-source.js";
import type { HttpsSourcePolicy } from "./sources/https/policy.js";
import type { ClipStore } from "./store/clip-store.js";
import type { SeekIndexStore } from "./store/seek-index-store.js";
import type { StoredIndexes } from "./store/stored-index.js";
import type { WaveformStore } from "./store/waveform-store.js";

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
  /** The stored indexes SeekIndexStore reads (the bench gives each cold miss a fresh store over them). */
  storedIndexes: () => StoredIndexes;
  catalog: () => EpisodeCatalog;
  waveforms: () => WaveformStore;
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
  const parts = originParts(deps, clients, ffmpeg.path);
  const cutter =
    deps.cutter?.(parts) ??
    createEpisodeCutter({
      ...parts,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
  const labeler = clipLabeler(parts.openSource);
  const pipeline = createPipeline(
    {
      config,
      store: parts.store,
      catalog: parts.catalog,
      cutter: () => cutter,
      labeler: () => labeler,
      now,
    },
    config.limits,
  );

  const clips = (event: ApiGatewayEvent, context: LambdaClock) =>
    handleEvent(event, context, { pipeline, config, log, ...(deps.beforeStep ? { beforeStep: deps.beforeStep } : {}) });
  const handle = routeEvent(clips, { ...parts, config, log, now, ...(deps.spawn ? { spawn: deps.spawn } : {}) });

  return { handle, ffmpeg, close: () => clients.close() };
}
