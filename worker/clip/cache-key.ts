import type { EdgeClipContext } from "./context.js";

/** The edge cache holds each clip under its canonical URL, so every spelling of a request finds it. */
export const cacheUrl = (ctx: EdgeClipContext): string => ctx.url.origin + ctx.clip.canonicalPath;

export const cacheKey = (ctx: EdgeClipContext): Request => new Request(cacheUrl(ctx));
