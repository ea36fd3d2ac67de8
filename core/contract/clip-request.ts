import { ClipError } from "../errors.js";

/** A clip request after validation and normalization: the one canonical form of every spelling. */
export interface ClipRequest {
  readonly episodeId: string;
  readonly startMs: number;
  /** Requested end; the origin may cut shorter when the episode ends first. */
  readonly endMs: number;
  readonly durationMs: number;
  /**
   * `precise=1`: re-encode so the clip starts and ends on the exact sample. Without it the clip is the
   * source's own frames, exact to one frame (26 ms), which gapless players trim to the exact sample.
   */
  readonly precise: boolean;
  /**
   * `format=mp3`: an MP3 clip whatever the source's codec (an AAC source's samples are re-encoded). Absent:
   * the clip keeps its source's codec (MP3 frames or AAC packets, copied).
   */
  readonly format?: "mp3";
}

export interface ClipLimits {
  readonly minClipMs: number;
  readonly maxClipMs: number;
}

export const DEFAULT_LIMITS: ClipLimits = { minClipMs: 1000, maxClipMs: 300_000 };

/** 100 hours: longer than any real episode, small enough that every sum stays an exact integer. */
export const MAX_START_MS = 360_000_000;

const MAX_CLIP_LIMIT_MS = Number.MAX_SAFE_INTEGER - MAX_START_MS;

const EPISODE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const DIGITS = /^[0-9]+$/;

export function validateLimits(limits: ClipLimits): ClipLimits {
  const { minClipMs, maxClipMs } = limits;
  if (!Number.isSafeInteger(minClipMs) || minClipMs < 1) {
    throw new RangeError(`MIN_CLIP_MS must be a whole number >= 1 (got ${minClipMs})`);
  }
  if (!Number.isSafeInteger(maxClipMs) || maxClipMs < minClipMs) {
    throw new RangeError(`MAX_CLIP_MS must be a whole number >= MIN_CLIP_MS (got ${maxClipMs})`);
  }
  // endMs = startMs + durationMs must stay an exact integer, or keys and ranges silently drift.
  if (maxClipMs > MAX_CLIP_LIMIT_MS) {
    throw new RangeError(`MAX_CLIP_MS must be at most ${MAX_CLIP_LIMIT_MS} (got ${maxClipMs})`);
  }
  return limits;
}

/** Quote user input in messages without letting it grow the response or break the JSON. */
function shown(value: string): string {
  const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(cut);
}

export function parseEpisodeId(raw: string): string {
  if (!EPISODE_ID.test(raw)) {
    throw new ClipError(
      "invalid_parameter",
      `episode_id must be 1-128 characters of A-Z, a-z, 0-9, '_' or '-', starting with a letter or digit (got ${shown(raw)})`,
      { param: "episode_id" },
    );
  }
  return raw;
}

/** Returns undefined when absent; throws when repeated, empty or not a plain decimal integer. */
function readInteger(params: URLSearchParams, name: string, max: number): number | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) {
    throw new ClipError("invalid_parameter", `${name} must be given once (got ${values.length} values)`, {
      param: name,
    });
  }
  const raw = values[0] ?? "";
  if (raw === "") {
    throw new ClipError("invalid_parameter", `${name} must not be empty`, { param: name });
  }
  if (!DIGITS.test(raw)) {
    throw new ClipError(
      "invalid_parameter",
      `${name} must be a whole number of milliseconds written with the digits 0-9 only (got ${shown(raw)})`,
      { param: name },
    );
  }
  // Leading zeros are a spelling, not a value; stripping them first keeps huge inputs cheap to reject.
  // Up to 16 digits Number() is exact below 2^53 and rounds to >= 2^53 above it, so `value > max` is
  // right for every max <= MAX_SAFE_INTEGER; a 15-digit cut would call 10^15 "above 2^53 - 1".
  const significant = raw.replace(/^0+(?=.)/, "");
  const value = significant.length > 16 ? Infinity : Number(significant);
  if (value > max) {
    throw new ClipError("invalid_parameter", `${name} must be at most ${max} (got ${shown(raw)})`, {
      param: name,
    });
  }
  return value;
}

/** `precise`: absent, `0` or `false` is off; `1` or `true` is on; anything else is a 400. */
function readFlag(params: URLSearchParams, name: string): boolean {
  const values = params.getAll(name);
  if (values.length === 0) return false;
  if (values.length > 1) {
    throw new ClipError("invalid_parameter", `${name} must be given once (got ${values.length} values)`, {
      param: name,
    });
  }
  const raw = values[0] ?? "";
  if (raw === "1" || raw === "true") return true;
  if (raw === "0" || raw === "false") return false;
  throw new ClipError("invalid_parameter", `${name} must be 1 or 0 (got ${shown(raw)})`, { param: name });
}

/** `format`: absent (the source's own codec) or `mp3`; anything else is a 400. */
function readFormat(params: URLSearchParams): "mp3" | undefined {
  const values = params.getAll("format");
  if (values.length === 0) return undefined;
  if (values.length > 1) {
    throw new ClipError("invalid_parameter", `format must be given once (got ${values.length} values)`, {
      param: "format",
    });
  }
  if (values[0] === "mp3") return "mp3";
  throw new ClipError(
    "invalid_parameter",
    `format must be mp3, or absent for the source's own codec (got ${shown(values[0] ?? "")})`,
    { param: "format" },
  );
}

/**
 * Validates and normalizes a clip request. Only `start_time_ms`, `duration_ms`, `end_time_ms`,
 * `precise` and `format` are read; every other parameter is ignored so that it cannot split the cache.
 */
export function parseClipRequest(
  episodeIdRaw: string,
  params: URLSearchParams,
  limits: ClipLimits = DEFAULT_LIMITS,
): ClipRequest {
  const episodeId = parseEpisodeId(episodeIdRaw);
  const startMs = readInteger(params, "start_time_ms", MAX_START_MS);
  if (startMs === undefined) {
    throw new ClipError("invalid_parameter", "start_time_ms is required", { param: "start_time_ms" });
  }
  const durationParam = readInteger(params, "duration_ms", Number.MAX_SAFE_INTEGER);
  const endParam = readInteger(params, "end_time_ms", Number.MAX_SAFE_INTEGER);
  if (durationParam !== undefined && endParam !== undefined) {
    throw new ClipError("invalid_parameter", "give either duration_ms or end_time_ms, not both", {
      param: "end_time_ms",
    });
  }
  if (durationParam === undefined && endParam === undefined) {
    throw new ClipError("invalid_parameter", "duration_ms (or end_time_ms) is required", {
      param: "duration_ms",
    });
  }
  const { minClipMs, maxClipMs } = limits;
  let durationMs: number;
  if (endParam !== undefined) {
    if (endParam <= startMs) {
      throw new ClipError("invalid_parameter", `end_time_ms must be greater than start_time_ms (${startMs})`, {
        param: "end_time_ms",
      });
    }
    durationMs = endParam - startMs;
    if (durationMs < minClipMs || durationMs > maxClipMs) {
      throw new ClipError(
        "invalid_parameter",
        `end_time_ms - start_time_ms must be between ${minClipMs} and ${maxClipMs} ms (got ${durationMs})`,
        { param: "end_time_ms" },
      );
    }
  } else {
    durationMs = durationParam as number;
    if (durationMs < minClipMs || durationMs > maxClipMs) {
      throw new ClipError(
        "invalid_parameter",
        `duration_ms must be between ${minClipMs} and ${maxClipMs} (got ${durationMs})`,
        { param: "duration_ms" },
      );
    }
  }
  const precise = readFlag(params, "precise");
  const format = readFormat(params);
  return { episodeId, startMs, endMs: startMs + durationMs, durationMs, precise, ...(format ? { format } : {}) };
}
