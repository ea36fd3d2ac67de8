import { parseClip, runSteps } from "../../core/index.js";
import type { ClipDeps, EdgeClipContext, RequestStamp } from "./context.js";
import { edgeSteps } from "./steps/index.js";

/**
 * Parses the request (its 400s leave from here), then runs the edge's steps. A leader that fails before
 * the origin answers (a refused charge) passes its error on, so the requests that joined it never hang.
 */
export async function handleClip(request: Request, deps: ClipDeps, stamp: RequestStamp): Promise<Response> {
  const url = new URL(request.url);
  const ctx: EdgeClipContext = { request, url, clip: parseClip(url, deps.config.limits), fills: [], ...stamp };
  try {
    await runSteps(edgeSteps(deps), ctx);
  } catch (err) {
    ctx.lead?.settle(Promise.reject(err));
    throw err;
  }
  if (!ctx.response) throw new Error("the edge steps ended without a response");
  return ctx.response;
}
