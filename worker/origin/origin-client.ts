import {
  ClipError,
  canonicalPath,
  isClipErrorBody,
  signOriginRequest,
  type ClipJsonResponse,
  type ClipRequest,
} from "../../core/index.js";
import { strongEtag, type OriginFetcher } from "../clip/clip.js";
import type { WorkerConfig } from "../config/env.js";

export function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

/** The origin's error answer as the edge's error: its client errors as they are, anything else a 502/504. */
export function originRefusal(status: number, body: unknown): ClipError {
  // The origin's client errors (404 unknown episode, 416 start past the end...) are the answer.
  if (status < 500 && status !== 403 && isClipErrorBody(body)) {
    const originId = body.error.request_id;
    return new ClipError(body.error.code, body.error.message, {
      ...(body.error.param !== undefined ? { param: body.error.param } : {}),
      ...(originId !== undefined ? { detail: `origin request_id ${originId}` } : {}),
    });
  }
  // What the origin said is for the Worker's log line (the message of a 5xx ClipError), never the client's
  // body; its request id there leads to the origin's own line.
  const said = isClipErrorBody(body)
    ? ` (${body.error.code}${body.error.request_id ? `, origin request_id ${body.error.request_id}` : ""}): ${body.error.message}`
    : "";
  if (status === 504 && isClipErrorBody(body)) return new ClipError("timeout", `The origin answered 504${said}`);
  // A 403 from the origin means our own signature was refused: a configuration problem, not the client's.
  return new ClipError("bad_gateway", `The origin answered ${status}${said}`);
}

/** The signed request to the origin; its JSON answer, which describes the clip. */
async function askOrigin(
  config: WorkerConfig,
  fetchFn: typeof fetch,
  req: ClipRequest,
  requestId: string,
  signal: AbortSignal,
): Promise<ClipJsonResponse> {
  const path = canonicalPath(req);
  let answer: Response;
  try {
    const auth = await signOriginRequest({ method: "GET", canonicalPath: path }, config.originSecret);
    answer = await fetchFn(config.originUrl + path, {
      headers: { ...auth, accept: "application/json", "x-request-id": requestId },
      signal,
    });
  } catch (err) {
    if (isTimeout(err)) {
      throw new ClipError("timeout", `The origin did not answer within ${config.originTimeoutMs} ms`, { cause: err });
    }
    throw new ClipError("bad_gateway", "The origin could not be reached", { cause: err });
  }
  const body: unknown = await answer.json().catch(() => undefined);
  if (!answer.ok) throw originRefusal(answer.status, body);
  const json = body as Partial<ClipJsonResponse> | undefined;
  if (!json || typeof json.clip_url !== "string" || typeof json.clip_start_ms !== "number") {
    throw new ClipError("bad_gateway", "The origin's answer was not a clip description");
  }
  return json as ClipJsonResponse;
}

/** The clip's bytes from the pre-signed URL the origin gave. */
async function fetchClipBytes(fetchFn: typeof fetch, url: string, signal: AbortSignal): Promise<ArrayBuffer> {
  let audio: Response;
  try {
    audio = await fetchFn(url, { signal });
  } catch (err) {
    if (isTimeout(err)) throw new ClipError("timeout", "Fetching the clip from storage timed out");
    throw new ClipError("bad_gateway", "The clip storage could not be reached", { cause: err });
  }
  if (audio.status !== 200) throw new ClipError("bad_gateway", `The clip storage answered ${audio.status}`);
  return audio.arrayBuffer();
}

/** Asks the origin for the clip (a signed request) and then fetches the bytes from its pre-signed URL. */
export function originFetcher(config: WorkerConfig, fetchFn: typeof fetch = fetch): OriginFetcher {
  return async (req, requestId) => {
    // One budget for both: the origin's answer and the download together.
    const signal = AbortSignal.timeout(config.originTimeoutMs);
    const json = await askOrigin(config, fetchFn, req, requestId, signal);
    const bytes = await fetchClipBytes(fetchFn, json.clip_url, signal);
    return {
      clip: {
        bytes,
        startMs: json.clip_start_ms,
        endMs: json.clip_end_ms ?? req.endMs,
        clamped: json.clamped_to_episode_end === true,
        etag: await strongEtag(bytes),
        generationTimeMs: json.generation_time_ms ?? 0,
      },
      layer: json.cache_hit ? "origin-hit" : "generated",
    };
  };
}
