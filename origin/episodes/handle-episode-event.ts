import { randomUUID } from "node:crypto";
import { causeChain, parseEpisodePath, toClipError } from "../../core/index.js";
import type { OriginConfig } from "../config/config.js";
import { requestDeadline, type LambdaClock } from "../lambda/deadline.js";
import type { OriginRequest } from "../lambda/event.js";
import { errorResponse, type LambdaHttpResponse } from "../lambda/response.js";
import { edgeRequestId, writeLog, type LogSink } from "../observe/request-log.js";
import { answerEpisode, gate, type EpisodeAnswerDeps } from "./episode-answer.js";

export interface EpisodeEventDeps extends EpisodeAnswerDeps {
  config: OriginConfig;
  log: LogSink;
}

/** One request for an episode's facts or waveform: answered, errors mapped, one log line, as for clips. */
export async function handleEpisodeRequest(
  request: OriginRequest,
  context: LambdaClock,
  deps: EpisodeEventDeps,
): Promise<LambdaHttpResponse> {
  const startedAt = Date.now();
  const fields: Record<string, unknown> = {
    level: "info",
    msg: "episode request",
    request_id: request.requestId ?? randomUUID(),
    edge_request_id: edgeRequestId(request.header("x-request-id")),
    method: request.method,
    path: request.url.pathname,
  };
  try {
    gate(request);
    const episode = parseEpisodePath(request.url.pathname);
    Object.assign(fields, { episode_id: episode.episodeId, resource: episode.resource });
    const deadline = requestDeadline(context, deps.config.ffmpegTimeoutMarginMs, startedAt);
    const answer = await answerEpisode(
      { request, episode, deadline, marginMs: deps.config.ffmpegTimeoutMarginMs, log: fields },
      deps,
    );
    fields.status = answer.statusCode;
    return answer;
  } catch (thrown) {
    const err = toClipError(thrown);
    Object.assign(fields, { status: err.status, outcome: "error", code: err.code, error: err.message });
    if (err.detail !== undefined) fields.detail = err.detail;
    if (err.status >= 500) Object.assign(fields, { level: "error", cause: causeChain(err.cause) });
    return errorResponse(err, fields.request_id as string);
  } finally {
    fields.duration_ms = Date.now() - startedAt;
    writeLog(deps.log, fields);
  }
}
