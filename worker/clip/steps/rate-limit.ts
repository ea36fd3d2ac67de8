import { ClipError, type Step } from "../../../core/index.js";
import { leads, type ClipDeps, type EdgeClipContext } from "../context.js";

/**
 * Only a request that starts a new origin call is charged: it is the expensive path, hits from the edge cache
 * or R2 never get here, and joiners of an in-flight call are not leaders. Two windows (the Rate Limiting
 * binding has only 10 s and 60 s periods): a burst limit that a page of many players opened at once stays
 * under, and a sustained one that stops a client asking for thousands of new clips. A refused leader's
 * joiners get the same 429: they arrived during the charge, from the same clip, so mostly the same page.
 */
export const rateLimit = ({ limits }: ClipDeps): Step<EdgeClipContext> => ({
  name: "rate-limit",
  when: (ctx) => leads(ctx) && limits.length > 0,
  async run(ctx) {
    const key = ctx.request.headers.get("cf-connecting-ip") ?? "unknown";
    for (const { limiter, periodS } of limits) {
      const { success } = await limiter.limit({ key });
      if (!success) {
        throw new ClipError(
          "rate_limited",
          `Too many new clips requested from this address; try again in ${periodS} seconds`,
          { retryAfterS: periodS },
        );
      }
    }
  },
});
