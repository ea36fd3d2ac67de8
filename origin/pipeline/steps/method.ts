import { ClipError, type Step } from "../../../core/index.js";
import type { RequestContext } from "../context.js";

/** The methods the clip route serves; the 405's Allow header is built from the same list. */
export const ALLOWED_METHODS = ["GET", "HEAD"] as const;

export const method: Step<RequestContext> = {
  name: "method",
  run(ctx) {
    if (!(ALLOWED_METHODS as readonly string[]).includes(ctx.request.method)) {
      throw new ClipError(
        "method_not_allowed",
        `Method ${ctx.request.method} is not allowed; use ${ALLOWED_METHODS.join(" or ")}`,
      );
    }
  },
};
