import { ClipError } from "../errors.js";

/** A clip's requested milliseconds as the samples of one source, clamped at its end: what every cutter plans from. */
export interface SampleRange {
  sampleRate: number;
  startSample: number;
  /** Exclusive; at most the source's last sample. */
  endSample: number;
  /** The range actually cut, in ms (rounded from the samples). */
  startMs: number;
  endMs: number;
  clampedToEnd: boolean;
}

const msToSamples = (ms: number, rate: number) => Math.round((ms * rate) / 1000);

/** Throws ClipError invalid_parameter for a bad range, start_beyond_end for a start at or past the end. */
export function sampleRange(startMs: number, endMs: number, sampleRate: number, totalSamples: number): SampleRange {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs < 0 || endMs <= startMs) {
    throw new ClipError("invalid_parameter", `bad clip range ${startMs}..${endMs} ms`);
  }
  const startSample = msToSamples(startMs, sampleRate);
  if (startSample >= totalSamples) {
    throw new ClipError("start_beyond_end", `start ${startMs} ms is at or past the end of the audio`);
  }
  const wantedEnd = msToSamples(endMs, sampleRate);
  const endSample = Math.min(wantedEnd, totalSamples);
  if (endSample <= startSample) throw new ClipError("invalid_parameter", "clip is shorter than one sample");
  return {
    sampleRate,
    startSample,
    endSample,
    startMs: Math.round((startSample * 1000) / sampleRate),
    endMs: Math.round((endSample * 1000) / sampleRate),
    clampedToEnd: wantedEnd > totalSamples,
  };
}
