import { ClipError, signOriginRequest, type EpisodeRequest } from "../../core/index.js";
import type { WorkerConfig } from "../config/env.js";
import { isTimeout, originRefusal } from "../origin/origin-client.js";

/** What the origin answered for an episode: the JSON bytes as they are, and whether it built them now. */
export interface EpisodeAnswer {
  bytes: ArrayBuffer;
  built: boolean;
}

/** The signed origin call for an episode's facts or waveform (the signature covers the canonical path). */
export function episodeFetcher(config: WorkerConfig, fetchFn: typeof fetch = fetch) {
  return async (req: EpisodeRequest, requestId: string): Promise<EpisodeAnswer> => {
    let answer: Response;
    try {
      const auth = await signOriginRequest({ method: "GET", canonicalPath: req.canonicalPath }, config.originSecret);
      answer = await fetchFn(config.originUrl + req.canonicalPath, {
        headers: { ...auth, accept: "application/json", "x-request-id": requestId },
        signal: AbortSignal.timeout(config.originTimeoutMs),
      });
    } catch (err) {
      if (isTimeout(err)) {
        throw new ClipError("timeout", `The origin did not answer within ${config.originTimeoutMs} ms`, { cause: err });
      }
      throw new ClipError("bad_gateway", "The origin could not be reached", { cause: err });
    }
    const bytes = await answer.arrayBuffer();
    if (!answer.ok) {
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        body = undefined;
      }
      throw originRefusal(answer.status, body);
    }
    return { bytes, built: answer.headers.get("x-edgeclip-waveform") === "built" };
  };
}

export type EpisodeFetcher = ReturnType<typeof episodeFetcher>;
