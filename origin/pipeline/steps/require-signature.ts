import { ClipError, SIGNATURE_HEADER, TIMESTAMP_HEADER, type Step } from "../../../core/index.js";
import type { RequestContext } from "../context.js";

/** Checked before parsing, so an unsigned caller learns nothing about the parser. */
export const requireSignature: Step<RequestContext> = {
  name: "require-signature",
  run(ctx) {
    if (ctx.request.header(SIGNATURE_HEADER) === undefined || ctx.request.header(TIMESTAMP_HEADER) === undefined) {
      throw new ClipError("forbidden", "Missing origin signature: only the edgeclip Worker may call this origin");
    }
  },
};
