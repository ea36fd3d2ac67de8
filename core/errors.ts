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

/**
 * Seconds a client should wait before retrying, per code, unless the error says otherwise (a rate limit
 * names its own window): the one table both sides use, so a Retry-After is never a literal in a step.
 */
export const RETRY_AFTER_S: Partial<Readonly<Record<ErrorCode, number>>> = {
  rate_limited: 60,
  bad_gateway: 5,
  service_unavailable: 5,
  timeout: 5,
};

/**
 * The codes whose messages may name internals: every 5xx, and 422, whose message describes the operator's
 * catalog or source file (field names, hosts, locations), which a listener can do nothing about.
 */
export type FixedMessageCode = {
  [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends 422 | 500 | 502 | 503 | 504 ? C : never;
}[ErrorCode];

/**
 * What a client reads for those codes, whatever went wrong: the detailed message (bucket, host, AWS action,
 * FFmpeg output) is written to the log line of the side that saw it, under the request id the body carries.
 */
export const PUBLIC_ERROR_MESSAGES: Readonly<Record<FixedMessageCode, string>> = {
  unprocessable_source: "The episode's audio cannot be cut into clips; the service's operators can see why",
  internal: "Internal error",
  bad_gateway: "An upstream service gave no usable answer; try again later",
  service_unavailable: "The clip service is temporarily unavailable; try again later",
  timeout: "The clip could not be made in time; try again later",
};

function isFixedMessageCode(code: ErrorCode): code is FixedMessageCode {
  return Object.hasOwn(PUBLIC_ERROR_MESSAGES, code);
}

export interface ClipErrorOptions {
  /** The request parameter at fault, for 400s. */
  param?: string;
  /** Seconds a client should wait before retrying (429, 503). */
  retryAfterS?: number;
  /**
   * For the log line only: internals behind a client message (which storage location was missing), so the
   * message itself can stay fit for the client.
   */
  detail?: string;
  cause?: unknown;
}

export class ClipError extends Error {
  override readonly name = "ClipError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterS: number | undefined;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, options: ClipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.param = options.param;
    this.retryAfterS = options.retryAfterS ?? RETRY_AFTER_S[code];
    this.detail = options.detail;
  }

  /** Whether the message was written for the client; otherwise it may name internals and stays in the log. */
  get expose(): boolean {
    return !isFixedMessageCode(this.code);
  }
}

export interface ErrorBody {
  /** request_id: on 5xx bodies, the id under which the log line holds the detail. */
  error: { code: ErrorCode; message: string; param?: string; request_id?: string };
}

/**
 * Anything thrown that is not a ClipError is an internal error: its message is not shown to
 * clients, because it may carry hostnames, credentials in URIs or stack details.
 */
export function toClipError(err: unknown): ClipError {
  if (err instanceof ClipError) return err;
  return new ClipError("internal", "Internal error", { cause: err });
}

/**
 * The JSON body for an error. A client message is the client's to read; a 5xx or 422 says only its code,
 * the fixed message for it and the request id, so an operator can find the detail in the log line.
 */
export function errorBody(err: ClipError, requestId?: string): ErrorBody {
  if (isFixedMessageCode(err.code)) {
    const body: ErrorBody = { error: { code: err.code, message: PUBLIC_ERROR_MESSAGES[err.code] } };
    if (requestId !== undefined) body.error.request_id = requestId;
    return body;
  }
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.param !== undefined) body.error.param = err.param;
  return body;
}

/** The chain of causes of an error, for operators' log lines: messages only, no stacks. */
export function causeChain(err: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    parts.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(" <- ") : undefined;
}

export function isClipErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return false;
  const { code, message, param, request_id } = error as Record<string, unknown>;
  // hasOwn, not `in`: "toString" or "constructor" would pass `in` and become a ClipError without a status.
  return (
    typeof code === "string" &&
    Object.hasOwn(ERROR_STATUS, code) &&
    typeof message === "string" &&
    (param === undefined || typeof param === "string") &&
    (request_id === undefined || typeof request_id === "string")
  );
}
