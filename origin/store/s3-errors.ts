import { ClipError } from "../../core/index.js";

/** The IAM action behind each S3 call we make, so a denial names what to grant. */
export type S3Action = "s3:GetObject" | "s3:PutObject";

export interface S3Call {
  action: S3Action;
  /** The API operation, for messages: HeadObject, GetObject, PutObject. */
  operation: string;
  bucket: string;
  key?: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

const CREDENTIAL_ERRORS = new Set(["SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "InvalidToken"]);

export function s3Status(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function s3ErrorName(err: unknown): string {
  return (err as SdkError | undefined)?.name ?? "";
}

function isUnavailable(e: SdkError): boolean {
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  if (e.name === "TimeoutError" || e.name === "RequestTimeout" || e.name === "SlowDown") return true;
  if (/socket hang up|ECONNREFUSED|ETIMEDOUT|connect ECONN/.test(e.message ?? "")) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * The table from S3 SDK failures to ClipErrors. Operator-facing problems (denied, bad credentials,
 * missing bucket) are 500s whose message says which bucket and which action; an unreachable or failing
 * S3 is a 503 that clients may retry.
 */
export function s3Failure(err: unknown, call: S3Call): ClipError {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? "";
  const where = `${call.action} on bucket ${call.bucket}`;
  if (name === "AccessDenied" || (s3Status(err) === 403 && !CREDENTIAL_ERRORS.has(name))) {
    return new ClipError("internal", `S3 access denied: ${where} (${call.operation})`, { cause: err });
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new ClipError("internal", `S3 rejected the credentials (${name}) for ${where}`, { cause: err });
  }
  if (name === "NoSuchBucket") {
    return new ClipError("internal", `S3 bucket ${call.bucket} does not exist (${call.operation})`, { cause: err });
  }
  if (isUnavailable(e)) {
    const reason = e.code ?? (name || `HTTP ${s3Status(err) ?? "?"}`);
    return new ClipError(
      "service_unavailable",
      `S3 unavailable: ${call.operation} on bucket ${call.bucket} failed (${reason})`,
      {
        cause: err,
      },
    );
  }
  return new ClipError("internal", `S3 ${call.operation} on bucket ${call.bucket} failed: ${name || e.message}`, {
    cause: err,
  });
}
