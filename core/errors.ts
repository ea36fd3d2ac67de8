/**
 * The one error type that crosses every layer. Each code has a fixed HTTP status so that the
 * worker and the origin map errors to responses in exactly one place each (see `errorStatus`).
 */
export const ERROR_STATUS = {
  invalid_parameter: 400,
  invalid_path: 400,
  forbidden: 403,
  not_found: 404,
  episode_not_found: 404,
  method_not_allowed: 405,
  start_beyond_end: 416,
  range_not_satisfiable: 416,
  unprocessable_source: 422,
  rate_limited: 429,
  internal: 500,
  bad_gateway: 502,
  service_unavailable: 503,
  timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ClipErrorOptions {
  /** The request parameter at fault, for 400s. */
  param?: string;
  /** Seconds a client should wait before retrying (429, 503). */
  retryAfterS?: number;
  cause?: unknown;
}

export class ClipError extends Error {
  override readonly name = "ClipError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, options: ClipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.param = options.param;
    this.retryAfterS = options.retryAfterS;
  }

  /** Below 500 the message was written for the client; above, it may name internals. */
  get expose(): boolean {
    return this.status < 500;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; param?: string };
}

/**
 * Anything thrown that is not a ClipError is an internal error: its message is not shown to
 * clients, because it may carry hostnames, credentials in URIs or stack details.
 */
export function toClipError(err: unknown): ClipError {
  if (err instanceof ClipError) return err;
  return new ClipError("internal", "Internal error", { cause: err });
}

/** The JSON body for an error. 5xx messages are exposed too: ours are written to be operator-safe. */
export function errorBody(err: ClipError): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.param !== undefined) body.error.param = err.param;
  return body;
}

export function isClipErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return false;
  const { code, message, param } = error as { code?: unknown; message?: unknown; param?: unknown };
  // hasOwn, not `in`: "toString" or "constructor" would pass `in` and become a ClipError without a status.
  return (
    typeof code === "string" &&
    Object.hasOwn(ERROR_STATUS, code) &&
    typeof message === "string" &&
    (param === undefined || typeof param === "string")
  );
}
