import { ClipError, verifyClipUrlSignature, type Step } from "../../../core/index.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";

export const SIGNATURE_REASONS = {
  missing: "This URL must be signed (kid, exp and sig parameters)",
  malformed: "The URL signature parameters are malformed",
  unknown_key: "The URL was signed with an unknown key",
  expired: "The signed URL has expired",
  mismatch: "The URL signature does not match",
} as const;

/** When URL signing is on, only URLs signed with one of its keys get past this step. */
export const verifySignature = ({ config }: ClipDeps): Step<EdgeClipContext> => ({
  name: "verify-signature",
  when: () => config.signingKeys !== undefined,
  async run(ctx) {
    const keys = config.signingKeys ?? [];
    const result = await verifyClipUrlSignature(ctx.clip.request, ctx.url.searchParams, keys);
    if (!result.ok) throw new ClipError("forbidden", SIGNATURE_REASONS[result.reason]);
  },
});
