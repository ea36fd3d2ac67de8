import type { APIGatewayProxyResult } from "aws-lambda";
import { CLIP_CONTENT_TYPE, CLIP_FACTS_HEADER, clipFactsHeader, errorBody, type ClipError } from "../../core/index.js";
import type { ClipAnswer } from "../pipeline/context.js";
import { ALLOWED_METHODS } from "../pipeline/steps/method.js";

/** The shape both API Gateway payload versions (1.0 and 2.0) accept from a proxy integration. */
export type LambdaHttpResponse = APIGatewayProxyResult;

// The JSON carries a pre-signed URL (a bearer credential) or an error: neither may sit in a shared cache.
const BASE_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** The JSON, or the clip's bytes (base64 in the payload, binary from API Gateway) with its facts in a header. */
export function clipResponse(answer: ClipAnswer): LambdaHttpResponse {
  if (answer.kind === "url")
    return { statusCode: 200, headers: { ...BASE_HEADERS }, body: JSON.stringify(answer.body) };
  const { bytes } = answer;
  return {
    statusCode: 200,
    // The bytes are for the Worker, which caches them itself: no shared cache between it and the origin may.
    headers: {
      "content-type": answer.facts.content_type ?? CLIP_CONTENT_TYPE,
      "cache-control": "no-store",
      [CLIP_FACTS_HEADER]: clipFactsHeader(answer.facts),
    },
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
    isBase64Encoded: true,
  };
}

/**
 * The one place a ClipError becomes an HTTP response on the origin side. A 5xx says only its code, the
 * fixed message and `requestId`; the caller writes the detail to the log line under that id.
 */
export function errorResponse(err: ClipError, requestId?: string): LambdaHttpResponse {
  const headers: Record<string, string> = { ...BASE_HEADERS };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
  if (err.status === 405) headers.allow = ALLOWED_METHODS.join(", ");
  return { statusCode: err.status, headers, body: JSON.stringify(errorBody(err, requestId)) };
}
