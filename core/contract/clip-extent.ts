import { ClipError } from "../errors.js";
import type { ClipRequest } from "./clip-request.js";

/** What a clip really covers once the episode's length is known. */
export interface ClipExtent {
  startMs: number;
  /** The requested end, or the episode's end when that comes first. */
  endMs: number;
  /** True when the requested end was past the episode's end and the clip is cut there. */
  clamped: boolean;
}

/**
 * The public rule for a clip against its episode: a start at or past the end is a 416; an end past the
 * end is cut at the end, and the answer says so.
 */
export function clipExtent(req: ClipRequest, episodeDurationMs: number): ClipExtent {
  if (req.startMs >= episodeDurationMs) {
    throw new ClipError(
      "start_beyond_end",
      `start_time_ms ${req.startMs} is at or past the end of episode ${req.episodeId} (${episodeDurationMs} ms)`,
      { param: "start_time_ms" },
    );
  }
  const clamped = req.endMs > episodeDurationMs;
  return { startMs: req.startMs, endMs: clamped ? episodeDurationMs : req.endMs, clamped };
}

/** The audio itself ended before the catalog said: the clip is shorter, and says so. */
export function endedEarly(extent: ClipExtent, audioEndMs: number | undefined): ClipExtent {
  if (audioEndMs === undefined || audioEndMs >= extent.endMs) return extent;
  return { ...extent, endMs: audioEndMs, clamped: true };
}
