import {
  CLIP_FACTS_HEADER,
  ClipError,
  MIRROR_HEADER,
  MIRROR_MISSED,
  ORIGIN_ACCEPT,
  canonicalPath,
  isClipErrorBody,
  parseClipFacts,
  signOriginRequest,
  type InlineClipFacts,
  type ClipJsonResponse,
  containerOfType,
  type ClipRequest,
} from "../../core/index.js";
import { etagOfSha256, sha256Hex, type OriginAsk, type OriginFetcher } from "../clip/clip.js";
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

/** What the origin answered: the clip's description with a URL to fetch its bytes from, or the bytes themselves. */
type OriginAnswer =
  | { facts: ClipJsonResponse; bytes?: undefined }
  | { facts: InlineClipFacts; bytes: ArrayBuffer; contentType: string | null };

/** A bytes answer (a fresh clip the origin sent along): its facts header, and bytes of the size it names. */
async function bytesAnswer(answer: Response): Promise<OriginAnswer> {
  const facts = parseClipFacts(answer.headers.get(CLIP_FACTS_HEADER));
  if (!facts) throw new ClipError("bad_gateway", "The origin sent audio without a valid clip description");
  const bytes = await answer.arrayBuffer();
  if (bytes.byteLength !== facts.file_size_bytes) {
    throw new ClipError(
      "bad_gateway",
      `The origin sent ${bytes.byteLength} bytes of audio for a clip of ${facts.file_size_bytes}`,
    );
  }
  return { facts, bytes, contentType: answer.headers.get("content-type") };
}

/** The signed request to the origin; its answer: JSON describing the clip, or (a fresh clip) its bytes. */
async function askOrigin(
  config: WorkerConfig,
  fetchFn: typeof fetch,
  req: ClipRequest,
  requestId: string,
  ask: OriginAsk,
  signal: AbortSignal,
): Promise<OriginAnswer> {
  const path = canonicalPath(req);
  let answer: Response;
  try {
    const auth = await signOriginRequest({ method: "GET", canonicalPath: path }, config.originSecret);
    answer = await fetchFn(config.originUrl + path, {
      headers: {
        ...auth,
        accept: ORIGIN_ACCEPT,
        "x-request-id": requestId,
        ...(ask.mirrorMissed ? { [MIRROR_HEADER]: MIRROR_MISSED } : {}),
      },
      signal,
    });
  } catch (err) {
    if (isTimeout(err)) {
      throw new ClipError("timeout", `The origin did not answer within ${config.originTimeoutMs} ms`, { cause: err });
    }
    throw new ClipError("bad_gateway", "The origin could not be reached", { cause: err });
  }
  if (answer.ok && !/^application\/json/i.test(answer.headers.get("content-type") ?? "")) {
    return bytesAnswer(answer);
  }
  const body: unknown = await answer.json().catch(() => undefined);
  if (!answer.ok) throw originRefusal(answer.status, body);
  const json = body as Partial<ClipJsonResponse> | undefined;
  if (!json || typeof json.clip_url !== "string" || typeof json.clip_start_ms !== "number") {
    throw new ClipError("bad_gateway", "The origin's answer was not a clip description");
  }
  return { facts: json as ClipJsonResponse };
}

/** The clip's bytes from the pre-signed URL the origin gave. */
async function fetchClipBytes(
  fetchFn: typeof fetch,
  url: string,
  signal: AbortSignal,
): Promise<{ bytes: ArrayBuffer; contentType: string | null }> {
  let audio: Response;
  try {
    audio = await fetchFn(url, { signal });
  } catch (err) {
    if (isTimeout(err)) throw new ClipError("timeout", "Fetching the clip from storage timed out");
    throw new ClipError("bad_gateway", "The clip storage could not be reached", { cause: err });
  }
  if (audio.status !== 200) throw new ClipError("bad_gateway", `The clip storage answered ${audio.status}`);
  return { bytes: await audio.arrayBuffer(), contentType: audio.headers.get("content-type") };
}

/**
 * Asks the origin for the clip (a signed request); a fresh clip small enough comes back in the answer, any
 * other is fetched from the pre-signed URL the answer carries.
 */
export function originFetcher(config: WorkerConfig, fetchFn: typeof fetch = fetch): OriginFetcher {
  return async (req, requestId, ask = {}) => {
    // One budget for both: the origin's answer and the download together.
    const signal = AbortSignal.timeout(config.originTimeoutMs);
    const answer = await askOrigin(config, fetchFn, req, requestId, ask, signal);
    const { facts } = answer;
    const { bytes, contentType } = answer.bytes ? answer : await fetchClipBytes(fetchFn, answer.facts.clip_url, signal);
    // The ETag, and the checksum R2 verifies when the fill writes the clip: a bytes answer carries the origin's
    // (so R2 refuses bytes damaged on the way); a clip from the pre-signed URL is hashed here, once.
    const sha256 = (answer.bytes ? answer.facts.sha256 : undefined) ?? (await sha256Hex(bytes));
    return {
      clip: {
        bytes,
        startMs: facts.clip_start_ms,
        endMs: facts.clip_end_ms ?? req.endMs,
        clamped: facts.clamped_to_episode_end === true,
        etag: etagOfSha256(sha256),
        sha256,
        generationTimeMs: facts.generation_time_ms ?? 0,
        // The origin says which container it cut; the answer's or stored object's type is the fallback.
        container: containerOfType(facts.content_type ?? contentType),
      },
      layer: facts.cache_hit ? "origin-hit" : "generated",
    };
  };
}
