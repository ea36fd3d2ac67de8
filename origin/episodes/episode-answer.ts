import {
  ClipError,
  episodePath,
  verifyOriginRequest,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type EpisodeFacts,
  type EpisodeRequest,
} from "../../core/index.js";
import type { Episode, EpisodeCatalog } from "../catalog/episode-catalog.js";
import type { OriginRequest } from "../lambda/event.js";
import type { LambdaHttpResponse } from "../lambda/response.js";
import { ALLOWED_METHODS } from "../pipeline/steps/method.js";
import type { WaveformBuilder } from "../waveform/episode-waveform.js";

export interface EpisodeAnswerDeps {
  catalog: () => EpisodeCatalog;
  waveform: () => WaveformBuilder;
  originSecrets: readonly string[];
  now: () => number;
}

/** What one episode request needs from its event, beyond the parsed path. */
export interface EpisodeCall {
  request: OriginRequest;
  episode: EpisodeRequest;
  deadline: number;
  marginMs: number;
  log: Record<string, unknown>;
}

/** Before parsing, as for clips: only the Worker may learn anything, even how paths are parsed. */
export function gate(request: OriginRequest): void {
  if (!(ALLOWED_METHODS as readonly string[]).includes(request.method)) {
    throw new ClipError("method_not_allowed", `Method ${request.method} is not allowed; use GET or HEAD`);
  }
  if (request.header(SIGNATURE_HEADER) === undefined || request.header(TIMESTAMP_HEADER) === undefined) {
    throw new ClipError("forbidden", "Missing origin signature: only the edgeclip Worker may call this origin");
  }
}

async function authenticate(call: EpisodeCall, deps: EpisodeAnswerDeps): Promise<void> {
  const signed = { method: call.request.method, canonicalPath: call.episode.canonicalPath };
  const result = await verifyOriginRequest(signed, call.request.header, deps.originSecrets, deps.now());
  if (!result.ok) {
    call.log.auth = result.reason;
    throw new ClipError("forbidden", `Origin signature rejected (${result.reason})`);
  }
}

export function episodeFacts(episode: Episode): EpisodeFacts {
  return {
    episode_id: episode.id,
    title: episode.title ?? null,
    show: episode.show ?? null,
    duration_ms: episode.durationMs,
    image_url: episode.imageUrl ?? null,
    waveform_path: episodePath(episode.id, "waveform"),
  };
}

// Answers for the Worker, which caches them under its own headers; nothing shared may cache the origin's.
const HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** The public facts or the waveform peaks of one episode, after the same signature check clips have. */
export async function answerEpisode(call: EpisodeCall, deps: EpisodeAnswerDeps): Promise<LambdaHttpResponse> {
  await authenticate(call, deps);
  const { episodeId, resource } = call.episode;
  const episode = await deps.catalog().find(episodeId);
  if (!episode) throw new ClipError("episode_not_found", `Episode ${episodeId} not found`);
  if (resource === "facts") {
    call.log.outcome = "facts";
    return { statusCode: 200, headers: { ...HEADERS }, body: JSON.stringify(episodeFacts(episode)) };
  }
  const began = Date.now();
  const { stored, origin } = await deps.waveform()(episode, call.deadline, call.marginMs);
  Object.assign(call.log, { outcome: origin, waveform_ms: Date.now() - began, pixels: stored.waveform.length });
  return {
    statusCode: 200,
    headers: { ...HEADERS, "x-edgeclip-waveform": origin },
    body: new TextDecoder().decode(stored.bytes),
  };
}
