import { ClipError, verifyOriginRequest, type Step } from "../../../core/index.js";
import type { ClipContext, StepDeps } from "../context.js";

/** The signature covers the canonical request, so it can only be checked once the request is parsed. */
export const authenticate = (deps: StepDeps): Step<ClipContext> => ({
  name: "authenticate",
  async run(ctx) {
    const signed = { method: ctx.request.method, canonicalPath: ctx.clip.canonicalPath };
    const result = await verifyOriginRequest(signed, ctx.request.header, deps.config.originSecrets, deps.now());
    if (!result.ok) {
      ctx.log.auth = result.reason;
      throw new ClipError("forbidden", `Origin signature rejected (${result.reason})`);
    }
  },
});
