import { CLIP_CACHE_CONTROL, CLIP_CONTAINERS, CLIP_HEADERS, ClipError } from "../../core/index.js";
import type { Layer } from "../clip/clip.js";
import type { ServedClip } from "../clip/served-clip.js";
import { LAYER_HEADER, errorResponse } from "./http.js";
import { parseRange } from "./range.js";

/** True when any entity tag in If-None-Match equals ours (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * The audio response players get, identical in headers from every layer. The body is opened only when one
 * is sent, so HEAD and 304 read no bytes and an edge cache hit streams them from the cache.
 */
export async function audioResponse(
  request: Request,
  clip: ServedClip,
  layer: Layer,
  startedAt: number,
): Promise<Response> {
  const size = clip.size;
  const headers = new Headers({
    "content-type": CLIP_CONTAINERS[clip.container].contentType,
    "cache-control": CLIP_CACHE_CONTROL,
    "accept-ranges": "bytes",
    etag: clip.etag,
    // The same URL answers JSON to `Accept: application/json`; browsers must not reuse one for the other.
    vary: "Accept",
    [LAYER_HEADER]: layer,
    "server-timing": `edge;dur=${Date.now() - startedAt};desc="${layer}"`,
  });
  if (clip.clamped) headers.set(CLIP_HEADERS.clamped, "true");
  if (etagMatches(request.headers.get("if-none-match"), clip.etag)) {
    clip.release();
    return new Response(null, { status: 304, headers });
  }
  const range = parseRange(request.headers.get("range"), size);
  const head = request.method === "HEAD";
  if (range.kind === "unsatisfiable") {
    clip.release();
    const response = errorResponse(
      new ClipError("range_not_satisfiable", `The requested range is outside the clip (0-${size - 1})`),
    );
    response.headers.set("content-range", `bytes */${size}`);
    return response;
  }
  if (range.kind === "partial") {
    headers.set("content-range", `bytes ${range.start}-${range.end}/${size}`);
    headers.set("content-length", String(range.end - range.start + 1));
    if (head) clip.release();
    const body = head ? null : await clip.open({ start: range.start, end: range.end });
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(size));
  if (head) clip.release();
  return new Response(head ? null : await clip.open(), { status: 200, headers });
}
