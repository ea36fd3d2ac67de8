/**
 * Waveform peaks in the JSON layout BBC audiowaveform writes (version 2, one channel, 8-bit), so peaks.js
 * and wavesurfer.js read them as they are. One pixel covers PIXEL_MS of audio at any sample rate (rounded
 * to whole samples): a clip's peaks are pixels floor(start_ms / PIXEL_MS) to ceil(end_ms / PIXEL_MS), i.e.
 * `data.slice(2 * first, 2 * last)`; in general pixel = ms * sample_rate / (1000 * samples_per_pixel).
 */
export interface WaveformJson {
  version: 2;
  channels: 1;
  sample_rate: number;
  samples_per_pixel: number;
  bits: 8;
  length: number;
  /** min, max of each pixel in turn, each in [-128, 127]. */
  data: number[];
}

export const PIXEL_MS = 100;

export const samplesPerPixel = (sampleRate: number): number => Math.max(1, Math.round((sampleRate * PIXEL_MS) / 1000));

/** 16-bit to 8-bit as audiowaveform does: the high byte, so -32768 → -128 and 32767 → 127. */
const to8 = (s: number): number => s >> 8;

/**
 * Folds 16-bit mono samples into min/max pixels as they arrive (an hour of audio is ~300 MB of PCM, never
 * held whole). A last partial pixel is kept: it is the episode's final fraction of PIXEL_MS.
 */
export class PeakAccumulator {
  private readonly data: number[] = [];
  private count = 0;
  private min = 32767;
  private max = -32768;
  readonly samplesPerPixel: number;

  constructor(readonly sampleRate: number) {
    this.samplesPerPixel = samplesPerPixel(sampleRate);
  }

  push(samples: Int16Array): void {
    const spp = this.samplesPerPixel;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] as number;
      if (s < this.min) this.min = s;
      if (s > this.max) this.max = s;
      if (++this.count === spp) this.flush();
    }
  }

  finish(): WaveformJson {
    if (this.count > 0) this.flush();
    return {
      version: 2,
      channels: 1,
      sample_rate: this.sampleRate,
      samples_per_pixel: this.samplesPerPixel,
      bits: 8,
      length: this.data.length / 2,
      data: this.data,
    };
  }

  private flush(): void {
    this.data.push(to8(this.min), to8(this.max));
    this.count = 0;
    this.min = 32767;
    this.max = -32768;
  }
}

/** The pixels that cover [startMs, endMs) of a waveform, as a waveform of its own (what a client slices). */
export function sliceWaveform(wave: WaveformJson, startMs: number, endMs: number): WaveformJson {
  const perMs = wave.sample_rate / (1000 * wave.samples_per_pixel);
  const first = Math.max(0, Math.min(wave.length, Math.floor(startMs * perMs)));
  const last = Math.max(first, Math.min(wave.length, Math.ceil(endMs * perMs)));
  return { ...wave, length: last - first, data: wave.data.slice(2 * first, 2 * last) };
}

/** A structural check of a stored or fetched waveform, so a damaged object is rebuilt rather than served. */
export function isWaveformJson(value: unknown): value is WaveformJson {
  if (typeof value !== "object" || value === null) return false;
  const w = value as Partial<WaveformJson>;
  return (
    w.version === 2 &&
    w.channels === 1 &&
    w.bits === 8 &&
    Number.isSafeInteger(w.sample_rate) &&
    Number.isSafeInteger(w.samples_per_pixel) &&
    Number.isSafeInteger(w.length) &&
    Array.isArray(w.data) &&
    w.data.length === 2 * (w.length as number)
  );
}
