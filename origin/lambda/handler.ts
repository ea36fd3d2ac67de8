import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { ClipError } from "../../core/index.js";
import { loadConfig } from "../config/config.js";
import type { ApiGatewayEvent } from "./event.js";
import { errorResponse, type LambdaHttpResponse } from "./response.js";
import { createOrigin, type Origin } from "../origin.js";
import { stdoutSink, writeLog } from "../observe/request-log.js";
import { resolveSsmSecrets } from "../config/ssm-secrets.js";

async function init(): Promise<Origin> {
  const env = await resolveSsmSecrets(process.env);
  return createOrigin({ config: loadConfig(env) });
}

// Started at module load, i.e. during the Lambda init phase of a cold start: configuration problems and
// a missing FFmpeg are logged before the first request. The rejection is observed by the first request.
let ready: Promise<Origin> | undefined = init();
ready.catch(() => {});

/** The Lambda entry point (serverless.yml: origin/lambda/handler.handler). */
export async function handler(event: ApiGatewayEvent, context: Context): Promise<LambdaHttpResponse> {
  let origin: Origin;
  try {
    origin = await (ready ??= init());
  } catch (err) {
    // Not cached: the next request retries, so fixing an SSM parameter needs no redeploy.
    ready = undefined;
    const message = err instanceof Error ? err.message : String(err);
    // The settings and paths named in the message are for the operator: the client gets the id of this line.
    const requestId = event.requestContext?.requestId ?? context.awsRequestId ?? randomUUID();
    writeLog(stdoutSink, { level: "fatal", msg: "origin cannot start", request_id: requestId, error: message });
    return errorResponse(new ClipError("internal", message), requestId);
  }
  return origin.handle(event, context);
}
