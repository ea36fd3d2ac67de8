import { fileNameBase } from "../../core/index.js";
import { id3v2TagLength, readId3Fields } from "../../core/mp3/index.js";

/**
 * `download=1` is not part of the canonical request: the bytes are the same, only this response header
 * differs, so it must not split the edge cache, the R2 mirror or the origin's objects (and a signed URL stays
 * valid with it added). The name comes from the clip's own ID3 title ("Title, 12:34–13:04"), which the
 * origin wrote: the edge needs no catalog for it.
 */
export function wantsDownload(params: URLSearchParams): boolean {
  return params.get("download") === "1";
}

export function clipFileNameOf(bytes: ArrayBuffer, fallback: string, ext = "mp3"): string {
  const view = new Uint8Array(bytes);
  const length = id3v2TagLength(view);
  const title = length !== null && length <= view.length ? readId3Fields(view.subarray(0, length)).title : undefined;
  return `${fileNameBase(title ?? "") || fileNameBase(fallback) || "clip"}.${ext}`;
}

/** RFC 6266: an ASCII fallback for old clients, and the UTF-8 name for everyone else. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
