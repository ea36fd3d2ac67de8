/** What the AAC accuracy tests judge a clip by: FFmpeg's decode of the clip against its decode of the source. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { AacClipResult } from "../../../core/mp4/aac-cut.js";
import type { AacIndex } from "../../../core/mp4/aac-index.js";
import { bestLag } from "../mp3/clip-check.js";
import { decodePcm, probeStream } from "../mp3/fixtures.js";

export interface AacSource {
  bytes: Uint8Array;
  index: AacIndex;
  pcm: Float32Array;
}

export function tempFile(bytes: Uint8Array, name: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "edgeclip-aac-"));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Root-mean-square difference of the clip and the source over the clip's samples, relative to the source's. */
function relativeError(clip: Float32Array, pcm: Float32Array, base: number, n: number): number {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < n; i++) {
    const s = pcm[base + i] ?? 0;
    err += ((clip[i] ?? 0) - s) ** 2;
    ref += s * s;
  }
  return Math.sqrt(err / Math.max(ref, 1e-12));
}

/**
 * The clip as FFmpeg plays it: it starts on the requested sample (the decode lines up with the source at
 * lag 0 and matches it), and its edit list lasts exactly the clip. FFmpeg 5.1 applies only the start of an
 * edit list, so its decode runs on to the end of the last packet: less than one packet (23 ms) more.
 */
export async function expectExactAacClip(src: AacSource, clip: AacClipResult): Promise<void> {
  const { plan } = clip;
  const channels = src.index.channels;
  const tmp = tempFile(clip.bytes, "clip.m4a");
  try {
    const probed = await probeStream(tmp.path);
    expect(probed.sampleRate).toBe(src.index.sampleRate);
    expect(probed.channels).toBe(channels);
    expect(probed.packets).toBe(clip.packets);
    const want = plan.endSample - plan.startSample;
    expect(Math.abs(probed.durationS * 1000 - (want * 1000) / plan.sampleRate)).toBeLessThan(1);
    const pcm = await decodePcm(tmp.path);
    const frames = pcm.length / channels;
    expect(frames).toBeGreaterThanOrEqual(want);
    expect(frames - want).toBeLessThan(1024);
    expect(bestLag(pcm, src.pcm, plan.startSample, channels)).toBe(0);
    const n = Math.min(want, src.pcm.length / channels - plan.startSample) * channels;
    expect(relativeError(pcm, src.pcm, plan.startSample * channels, n)).toBeLessThan(1e-6);
  } finally {
    tmp.remove();
  }
}
