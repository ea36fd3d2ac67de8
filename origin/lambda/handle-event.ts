import { randomUUID } from "node:crypto";
import { causeChain, toClipError } from "../../core/index.js";
import type { OriginConfig } from "../config/config.js";
import { withMetrics } from "../observe/metrics.js";
import { edgeRequestId, writeLog, type LogSink } from "../observe/request-log.js";
import type { BeforeStep, Pipeline } from "../pipeline/pipeline.js";
import { requestDeadline, type LambdaClock } from "./deadline.js";
import { normalizeEvent, type ApiGatewayEvent, type OriginRequest } from "./event.js";
import { clipResponse, errorResponse, type LambdaHttpResponse } from "./response.js";

export interface EventDeps {
  pipeline: Pipeline;
  config: OriginConfig;
  log: LogSink;
  beforeStep?: BeforeStep;
}

/**
 * One API Gateway event: normalized into a request, run through the pipeline, and answered; errors become
 * responses here and only here, and the request's single log line (with its EMF metrics) is written last.
 */
export async function handleEvent(
  event: ApiGatewayEvent,
  context: LambdaClock,
  { pipeline, config, log, beforeStep }: EventDeps,
): Promise<LambdaHttpResponse> {
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
      later: (late: Record<string, unknown>) =>
        writeLog(log, { request_id: fields.request_id, edge_request_id: fields.edge_request_id, ...late }),
    };
    const answer = await pipeline.run(base, beforeStep);
    const facts = answer.kind === "url" ? answer.body : answer.facts;
    Object.assign(fields, {
      status: 200,
      outcome: facts.cache_hit ? "hit" : "generated",
      answer: answer.kind,
      generation_time_ms: facts.generation_time_ms,
      file_size_bytes: facts.file_size_bytes,
      clamped: facts.clamped_to_episode_end,
    });
    return clipResponse(answer);
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
