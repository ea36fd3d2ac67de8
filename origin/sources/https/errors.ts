import { sourceMissing } from "../source-errors.js";
import { ClipError } from "../../../core/index.js";

/** The URL as messages and logs show it: enclosure URLs often carry tokens in their query string. */
export function sourceLabel(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
}

/** The source moved under us (If-Match failed, or its size changed): callers re-open and re-index it. */
export class HttpsSourceChangedError extends Error {
  override readonly name = "HttpsSourceChangedError";
  constructor(readonly label: string) {
    super(`${label} changed while it was being read`);
  }
}

/** Raised by our own per-request timer, so it can be told from other socket errors. */
export class SourceTimeoutError extends Error {
  override readonly name = "SourceTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`no progress within ${timeoutMs} ms`);
  }
}

/** An upstream answer we cannot use, by its status. */
export function upstreamStatusError(status: number, label: string): ClipError {
  if (status === 404 || status === 410) return sourceMissing(label);
  if (status === 401 || status === 403) {
    return new ClipError("bad_gateway", `The source host refused access to ${label} (HTTP ${status})`);
  }
  return new ClipError("bad_gateway", `The source host answered HTTP ${status} for ${label}`);
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_TLS|ERR_SSL/;

/** A failed request (no usable answer) as the error a client can act on. */
export function requestError(err: unknown, label: string): Error {
  if (err instanceof ClipError || err instanceof HttpsSourceChangedError) return err;
  if (err instanceof SourceTimeoutError) {
    return new ClipError("timeout", `The source host did not answer within ${err.timeoutMs} ms reading ${label}`, {
      cause: err,
    });
  }
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.name === "AbortError") {
    return new ClipError("timeout", `Stopped reading ${label}: the request's deadline passed`, {
      cause: err,
    });
  }
  const code = e?.code ?? e?.message ?? String(err);
  if (TLS_CODE.test(code)) {
    return new ClipError("bad_gateway", `The TLS certificate of the source host was not accepted (${code}): ${label}`, {
      cause: err,
    });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new ClipError("bad_gateway", `The source host could not be resolved (${code}): ${label}`, {
      cause: err,
    });
  }
  return new ClipError("bad_gateway", `The source host could not be read (${code}): ${label}`, {
    cause: err,
  });
}
