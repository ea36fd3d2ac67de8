import { ClipError, URL_SIGNATURE_PARAMS, wantsJson, type ClipJsonResponse, type Step } from "../../../core/index.js";
import { audioResponse } from "../../http/audio-response.js";
import { clipFileNameOf, contentDisposition, wantsDownload } from "../../http/download-name.js";
import { LAYER_HEADER, json } from "../../http/http.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";

/** The edge URL that always serves this clip; signature parameters are kept when signing is on. */
function edgeUrl(ctx: EdgeClipContext, deps: ClipDeps): string {
  const url = new URL(ctx.clip.canonicalPath, ctx.url.origin);
  if (deps.config.signingKeys) {
    for (const name of Object.values(URL_SIGNATURE_PARAMS)) {
      const value = ctx.url.searchParams.get(name);
      if (value !== null) url.searchParams.set(name, value);
    }
  }
  return url.toString();
}

/** The same answer from every layer: the audio (Range, HEAD, 304) or, in JSON mode, its description. */
export const respond = (deps: ClipDeps): Step<EdgeClipContext> => ({
  name: "respond",
  run(ctx) {
    if (!ctx.found) throw new ClipError("internal", "No layer produced the clip");
    const { clip, layer } = ctx.found;
    if (!wantsJson(ctx.request.headers.get("accept"), ctx.url.searchParams)) {
      ctx.response = audioResponse(ctx.request, clip, layer, ctx.startedAt);
      if (wantsDownload(ctx.url.searchParams)) {
        const fallback = `${ctx.clip.request.episodeId} ${clip.startMs}-${clip.endMs}`;
        ctx.response.headers.set("content-disposition", contentDisposition(clipFileNameOf(clip.bytes, fallback)));
      }
      return;
    }
    const body: ClipJsonResponse = {
      clip_url: edgeUrl(ctx, deps),
      cache_hit: layer !== "generated",
      generation_time_ms: clip.generationTimeMs,
      clip_start_ms: clip.startMs,
      clip_end_ms: clip.endMs,
      file_size_bytes: clip.bytes.byteLength,
      clamped_to_episode_end: clip.clamped,
    };
    ctx.response = json(body, 200, { "cache-control": "no-store", vary: "Accept", [LAYER_HEADER]: layer });
  },
});
