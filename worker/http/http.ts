import { CLIP_HEADERS, ClipError, causeChain, errorBody, toClipError } from "../../core/index.js";

export const LAYER_HEADER = CLIP_HEADERS.layer;
const EXPOSED = [
  "Content-Disposition",
  "Content-Range",
  "Content-Length",
  "Accept-Ranges",
  "ETag",
  LAYER_HEADER,
  "Server-Timing",
].join(", ");

/**
 * CORS for browsers' <audio> and fetch(): "*" by default, or the request's Origin when it is allowed.
 * Vary is appended to, never replaced: audio responses already vary on Accept (JSON mode).
 */
export function applyCors(headers: Headers, request: Request, allowedOrigins: readonly string[] | undefined): void {
  if (!allowedOrigins) {
    headers.set("access-control-allow-origin", "*");
    headers.set("access-control-expose-headers", EXPOSED);
    return;
  }
  headers.append("vary", "Origin");
  const origin = request.headers.get("origin");
  if (origin && allowedOrigins.includes(origin)) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-expose-headers", EXPOSED);
  }
}

export function preflight(request: Request, allowedOrigins: readonly string[] | undefined): Response {
  const headers = new Headers({
    "access-control-allow-methods": "GET, HEAD, OPTIONS",
    "access-control-allow-headers": "Range, If-None-Match, Accept, Content-Type",
    "access-control-max-age": "86400",
  });
  applyCors(headers, request, allowedOrigins);
  return new Response(null, { status: 204, headers });
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export type LogFn = (entry: Record<string, unknown>) => void;

const consoleLog: LogFn = (entry) => console.log(JSON.stringify(entry));

/**
 * The one place where errors become responses. Errors are never cached as if they were clips. A 5xx (or
 * 422) body says only its code, the fixed message and the request id; what went wrong (the origin's status, a
 * setting's name, a thrown error) goes to the log line under that id, where operators look it up.
 */
export function errorResponse(err: unknown, requestId?: string, log: LogFn = consoleLog): Response {
  const clipError = toClipError(err);
  if (!clipError.expose) {
    log({
      level: clipError.status >= 500 ? "error" : "warn",
      msg: err instanceof ClipError ? "error" : "unhandled",
      requestId,
      status: clipError.status,
      code: clipError.code,
      error: err instanceof ClipError ? err.message : String(err),
      detail: clipError.detail,
      cause: causeChain(clipError.cause),
    });
  }
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (clipError.retryAfterS !== undefined) headers["retry-after"] = String(clipError.retryAfterS);
  return json(errorBody(clipError, requestId), clipError.status, headers);
}
