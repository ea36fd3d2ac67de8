/** What the accuracy tests judge a clip by: FFmpeg's decode of the clip against FFmpeg's decode of its source. */
import { expect } from "vitest";
import { crc16 } from "../../../core/mp3/crc16.js";
import type { ClipResult } from "../../../core/mp3/cut.js";
import { decodeFrameHeader, readUint32BE } from "../../../core/mp3/frame-header.js";
import type { SeekIndex } from "../../../core/mp3/seek-index.js";
import { readXing } from "../../../core/mp3/xing.js";
import { decodePcm, probeStream, tempMp3 } from "./fixtures.js";

export interface Source {
  bytes: Uint8Array;
  index: SeekIndex;
  pcm: Float32Array;
}

/**
 * Lag (in samples, channel 0) that best aligns the clip with the source at the requested start,
 * measured on the clip's loudest 2048-sample window (the signal has pauses); ties go to the smaller lag.
 */
export function bestLag(clip: Float32Array, pcm: Float32Array, start: number, channels: number): number {
  const frames = clip.length / channels;
  const n = Math.min(2048, frames);
  let from = 0;
  let loudest = -1;
  for (let w = 0; w + n <= frames; w += 1024) {
    let e = 0;
    for (let i = w; i < w + n; i++) e += (clip[i * channels] ?? 0) ** 2;
    if (e > loudest) [from, loudest] = [w, e];
  }
  let best = 0;
  let bestErr = Infinity;
  for (let step = 0; step <= 2400; step++) {
    const lag = step % 2 === 0 ? step / 2 : -(step + 1) / 2;
    let err = 0;
    for (let i = from; i < from + n; i++) {
      const d = (clip[i * channels] ?? 0) - (pcm[(start + lag + i) * channels] ?? 0);
      err += d * d;
    }
    if (err < bestErr) [best, bestErr] = [lag, err];
  }
  return best;
}

/** Everything a player and FFmpeg see in the clip, checked against the source. */
export async function expectFaithfulClip(src: Source, clip: ClipResult): Promise<void> {
  const { plan } = clip;
  const channels = src.index.channels;
  const info = decodeFrameHeader(readUint32BE(clip.bytes, 0))!;
  const xing = readXing(clip.bytes)!;
  // Bytes after the Info frame: players seek from the first audio frame (see cut.ts infoFrame).
  const audioBytes = clip.bytes.length - info.frameLength;
  expect(xing).toMatchObject({ frames: clip.frames, bytes: audioBytes });
  expect(xing.lame).toMatchObject({
    encoderDelay: clip.encoderDelay,
    encoderPadding: clip.encoderPadding,
    tagCrcValid: true,
    musicLength: audioBytes,
    musicCrc: crc16(clip.bytes, info.frameLength),
  });
  const tmp = tempMp3(clip.bytes);
  try {
    const probed = await probeStream(tmp.path);
    expect(probed.packets).toBe(clip.frames);
    expect(probed.sampleRate).toBe(src.index.sampleRate);
    expect(probed.durationS).toBeCloseTo((clip.frames * src.index.samplesPerFrame) / src.index.sampleRate, 5);
    const pcm = await decodePcm(tmp.path);
    const want = plan.endSample - plan.startSample;
    expect(pcm.length / channels).toBe(want);
    let maxDiff = 0;
    const base = plan.startSample * channels;
    for (let i = 0; i < pcm.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((pcm[i] ?? 0) - (src.pcm[base + i] ?? 0)));
    expect(bestLag(pcm, src.pcm, plan.startSample, channels)).toBe(0);
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  } finally {
    tmp.remove();
  }
}
