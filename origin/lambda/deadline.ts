import { ClipError } from "../../core/index.js";

/** The part of the Lambda context we use; tests pass their own remaining time. */
export interface LambdaClock {
  getRemainingTimeInMillis(): number;
}

/** Epoch ms by which the origin must stop working so it can still answer before Lambda kills it. */
export function requestDeadline(clock: LambdaClock, marginMs: number, now: number = Date.now()): number {
  return now + clock.getRemainingTimeInMillis() - marginMs;
}

const ADVICE = "retry later, request a shorter clip, or raise the function timeout";

export function ffmpegKilled(elapsedMs: number, marginMs: number): ClipError {
  return new ClipError(
    "timeout",
    `Lambda timeout: FFmpeg was stopped after ${elapsedMs} ms so the function can answer before its deadline ` +
      `(remaining Lambda time minus FFMPEG_TIMEOUT_MARGIN_MS=${marginMs}); ${ADVICE}`,
  );
}

export function stepOverran(step: string, marginMs: number, elapsedMs: number): ClipError {
  return new ClipError(
    "timeout",
    `Lambda timeout: step ${step} was still waiting after ${elapsedMs} ms, at the deadline ` +
      `(remaining Lambda time minus FFMPEG_TIMEOUT_MARGIN_MS=${marginMs}); ${ADVICE}`,
  );
}

export function deadlinePassed(step: string, marginMs: number, elapsedMs: number): ClipError {
  return new ClipError(
    "timeout",
    `Lambda timeout: no time left for step ${step} after ${elapsedMs} ms ` +
      `(remaining Lambda time minus FFMPEG_TIMEOUT_MARGIN_MS=${marginMs}); ${ADVICE}`,
  );
}
