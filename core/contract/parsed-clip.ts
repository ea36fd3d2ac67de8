import { canonicalPath, parseClipUrl, type ParsedClip } from "./clip-path.js";
import type { ClipLimits } from "./clip-request.js";
import { clipObjectKey } from "./object-keys.js";

/** Parses a clip URL into what both sides' steps work with (the 400s of DESIGN.md are thrown here). */
export function parseClip(url: URL, limits?: ClipLimits): ParsedClip {
  const request = parseClipUrl(url, limits);
  return {
    request,
    canonicalPath: canonicalPath(request),
    objectKeys: { mp3: clipObjectKey(request, "mp3"), m4a: clipObjectKey(request, "m4a") },
  };
}
