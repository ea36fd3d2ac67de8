import {
  CLIP_CONTAINERS,
  ClipError,
  URL_SIGNATURE_PARAMS,
  wantsJson,
  type ClipJsonResponse,
  type Step,
} from "../../../core/index.js";
import { audioResponse } from "../../http/audio-response.js";
import { clipFileNameOf, contentDisposition, wantsDownload } from "../../http/download-name.js";
import { LAYER_HEADER, json } from "../../http/http.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";
import { servedFromBytes, type ServedClip } from "../served-clip.js";
import type { Layer } from "../clip.js";

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

function served(ctx: EdgeClipContext): { clip: ServedClip; layer: Layer } {
  if (ctx.cached) return ctx.cached;
  if (ctx.found) return { clip: servedFromBytes(ctx.found.clip), layer: ctx.found.layer };
  throw new ClipError("internal", "No layer produced the clip");
}

/**
 * `download=1`: the file name comes from the clip's own ID3 title, so a streamed clip is read whole first
 * (downloads are rare, and a clip is a few MB at most).
 */
async function downloadResponse(ctx: EdgeClipContext, clip: ServedClip, layer: Layer): Promise<Response> {
  const { open, release: _, size: __, ...facts } = clip;
  const bytes = await new Response(await open()).arrayBuffer();
  const whole = servedFromBytes({ ...facts, bytes });
  const response = await audioResponse(ctx.request, whole, layer, ctx.startedAt);
  const fallback = `${ctx.clip.request.episodeId} ${clip.startMs}-${clip.endMs}`;
  const ext = CLIP_CONTAINERS[clip.container].extension.slice(1);
  response.headers.set("content-disposition", contentDisposition(clipFileNameOf(bytes, fallback, ext)));
  return response;
}

/** The same answer from every layer: the audio (Range, HEAD, 304) or, in JSON mode, its description. */
export const respond = (deps: ClipDeps): Step<EdgeClipContext> => ({
  name: "respond",
  async run(ctx) {
    const { clip, layer } = served(ctx);
    if (!wantsJson(ctx.request.headers.get("accept"), ctx.url.searchParams)) {
      if (wantsDownload(ctx.url.searchParams)) {
        ctx.response = await downloadResponse(ctx, clip, layer);
        return;
      }
      ctx.response = await audioResponse(ctx.request, clip, layer, ctx.startedAt);
      return;
    }
    clip.release();
    const body: ClipJsonResponse = {
      clip_url: edgeUrl(ctx, deps),
      cache_hit: layer !== "generated",
      generation_time_ms: clip.generationTimeMs,
      clip_start_ms: clip.startMs,
      clip_end_ms: clip.endMs,
      file_size_bytes: clip.size,
      clamped_to_episode_end: clip.clamped,
      content_type: CLIP_CONTAINERS[clip.container].contentType,
    };
    ctx.response = json(body, 200, { "cache-control": "no-store", vary: "Accept", [LAYER_HEADER]: layer });
  },
});
