import { CLIP_METADATA, toHex, type ClipContainer, type ClipRequest, type Layer } from "../../core/index.js";

export type { Layer } from "../../core/index.js";

/** A clip as every layer hands it over: whole bytes plus what the response needs to say about them. */
export interface Clip {
  bytes: ArrayBuffer;
  startMs: number;
  endMs: number;
  clamped: boolean;
  /** Strong ETag, quoted: the SHA-256 of the bytes, so every layer gives the same one. */
  etag: string;
  /** Origin's generation time; 0 when the clip already existed. */
  generationTimeMs: number;
  /** The bytes' whole SHA-256 (hex), when this request hashed them: R2 checks it on upload and keeps it. */
  sha256?: string;
  /** MP3 or M4A (AAC sources): decides the Content-Type and the R2 key. */
  container: ClipContainer;
}

export const etagOfSha256 = (hex: string): string => `"${hex.slice(0, 32)}"`;

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

export async function strongEtag(bytes: ArrayBuffer): Promise<string> {
  return etagOfSha256(await sha256Hex(bytes));
}

/**
 * Metadata names shared by the edge cache (as headers) and R2 (as customMetadata): the origin's S3 names,
 * so an object copied between S3 and R2 reads the same, plus the size and ETag the edge checks and serves.
 */
export const META = {
  ...CLIP_METADATA,
  sizeBytes: "file-size-bytes",
  etag: "etag",
} as const;

export function clipMetadata(clip: Omit<Clip, "bytes">, size: number): Record<string, string> {
  return {
    [META.startMs]: String(clip.startMs),
    [META.endMs]: String(clip.endMs),
    [META.clamped]: String(clip.clamped),
    [META.sizeBytes]: String(size),
    [META.etag]: clip.etag,
  };
}

/**
 * Reads metadata back; undefined when anything is missing or the bytes are not the size recorded, so the
 * caller treats the entry as absent and asks the layer behind it (never serve a partial clip as whole).
 */
export async function clipFromMetadata(
  bytes: ArrayBuffer,
  get: (name: string) => string | null | undefined,
  container: ClipContainer,
  opts: { verifyEtag?: boolean } = {},
): Promise<Clip | undefined> {
  const start = Number(get(META.startMs));
  const end = Number(get(META.endMs));
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return undefined;
  const size = get(META.sizeBytes);
  if (size && Number(size) !== bytes.byteLength) return undefined;
  const recorded = get(META.etag);
  // The ETag is the bytes' SHA-256, so recomputing it catches damage that keeps the size.
  const etag = !recorded || opts.verifyEtag ? await strongEtag(bytes) : recorded;
  if (recorded && etag !== recorded) return undefined;
  return {
    bytes,
    startMs: start,
    endMs: end,
    clamped: get(META.clamped) === "true",
    etag,
    generationTimeMs: 0,
    container,
  };
}

/**
 * The facts recorded beside a body of `size` bytes, without reading it: undefined unless the range, the
 * size (equal to `size`) and the ETag are all recorded, so anything less complete takes the reading path.
 */
export function recordedFacts(
  get: (name: string) => string | null | undefined,
  size: number,
  container: ClipContainer,
): Omit<Clip, "bytes"> | undefined {
  const start = Number(get(META.startMs));
  const end = Number(get(META.endMs));
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return undefined;
  const recordedSize = get(META.sizeBytes);
  const etag = get(META.etag);
  if (!recordedSize || Number(recordedSize) !== size || !etag) return undefined;
  return { startMs: start, endMs: end, clamped: get(META.clamped) === "true", etag, generationTimeMs: 0, container };
}

/** What the origin step gives the edge: the clip, and whether the origin had it or cut it. */
export interface OriginResult {
  clip: Clip;
  layer: Extract<Layer, "origin-hit" | "generated">;
}

/** What the edge knows when it asks: `mirrorMissed`, its R2 mirror answered that it has no such clip. */
export interface OriginAsk {
  mirrorMissed?: boolean;
}

export type OriginFetcher = (req: ClipRequest, requestId: string, ask?: OriginAsk) => Promise<OriginResult>;
