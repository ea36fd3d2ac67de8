import {
  ClipError,
  canonicalPath,
  sharePath,
  URL_SIGNATURE_PARAMS,
  verifyClipUrlSignature,
  OEMBED_PATH,
  type ClipRequest,
} from "../../core/index.js";
import { SIGNATURE_REASONS } from "../clip/steps/verify-signature.js";
import type { WorkerConfig } from "../config/env.js";

/** The absolute URLs a share page and its oEmbed answer name, signature parameters carried when signing is on. */
export interface ShareLinks {
  clip: string;
  download: string;
  share: string;
  embed: string;
  oembed: string;
  /** "&kid=…&exp=…&sig=…" or "": part of a signed page's cache key, since the page embeds it. */
  signature: string;
}

/** Share pages follow the clip's signing rule: with URL signing on, the page's URL must carry the clip's signature. */
export async function verifyShareSignature(config: WorkerConfig, clip: ClipRequest, params: URLSearchParams) {
  if (!config.signingKeys) return;
  const result = await verifyClipUrlSignature(clip, params, config.signingKeys);
  if (!result.ok) throw new ClipError("forbidden", SIGNATURE_REASONS[result.reason]);
}

export function shareLinks(origin: string, clip: ClipRequest, params: URLSearchParams, signed: boolean): ShareLinks {
  const sig = new URLSearchParams();
  if (signed) for (const name of Object.values(URL_SIGNATURE_PARAMS)) sig.set(name, params.get(name) ?? "");
  const signature = signed ? `&${sig.toString()}` : "";
  const share = `${origin}${sharePath(clip)}${signature}`;
  return {
    clip: `${origin}${canonicalPath(clip)}${signature}`,
    download: `${origin}${canonicalPath(clip)}${signature}&download=1`,
    share,
    embed: `${origin}${sharePath(clip, true)}${signature}`,
    oembed: `${origin}${OEMBED_PATH}?format=json&url=${encodeURIComponent(share)}`,
    signature,
  };
}
