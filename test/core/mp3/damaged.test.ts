/**
 * MP3 as the world damages it (issue 14): each fixture is a generated one with a defect applied, and the
 * reference is FFmpeg's decode of the damaged file itself, so a clip must match what a decoder makes of
 * the episode as it is stored.
 */
import { describe, expect, it } from "vitest";
import { bytesSource } from "../../../core/mp3/byte-source.js";
import { cutClip } from "../../../core/mp3/cut.js";
import { spanForFrames, walkFrames } from "../../../core/mp3/frame-walk.js";
import { buildSeekIndex } from "../../../core/mp3/build-seek-index.js";
import { durationMs, totalSamples, type SeekIndex } from "../../../core/mp3/seek-index.js";
import { readXing } from "../../../core/mp3/xing.js";
import { expectFaithfulClip, type Source } from "./clip-check.js";
import { decodePcm, fixture, fixtureBytes, tempMp3, type FixtureName } from "./fixtures.js";

async function frameOffsets(bytes: Uint8Array): Promise<{ index: SeekIndex; offsets: Float64Array }> {
  const index = await buildSeekIndex(bytesSource(bytes));
  const offsets = walkFrames(index, spanForFrames(index, 0, index.frameCount - 1), bytes, 0).offsets;
  return { index, offsets };
}

/** The damaged file, indexed, with FFmpeg's decode of it as the reference. */
async function damagedSource(bytes: Uint8Array): Promise<Source> {
  const tmp = tempMp3(bytes);
  try {
    return { bytes, index: await buildSeekIndex(bytesSource(bytes)), pcm: await decodePcm(tmp.path) };
  } finally {
    tmp.remove();
  }
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** Deterministic garbage (xorshift32), FF bytes included: real junk has false frame syncs. */
function junk(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// Generous: the first run also generates the FFmpeg fixtures.
describe("damaged and truncated MP3 files", { timeout: 120_000 }, () => {
  it.each(["vbr", "cbr", "mpeg2"] as const)(
    "%s: the audio frame after the Info frame is cut in half: the LAME delay is still read, clips start on time",
    async (name: FixtureName) => {
      const clean = await fixtureBytes(name);
      const { index, offsets } = await frameOffsets(clean);
      expect(index.gapless).not.toBeNull();
      const frame0 = offsets[0]!;
      const length0 = offsets[1]! - frame0;
      const bytes = splice(clean, frame0 + Math.floor(length0 / 2), length0 - Math.floor(length0 / 2));
      const src = await damagedSource(bytes);
      expect(src.index.headerFrame?.offset).toBe(index.headerFrame?.offset);
      expect(src.index.gapless?.encoderDelay).toBe(index.gapless?.encoderDelay);
      // FFmpeg drops the damaged frame; so does the index. The Xing count now promises one frame more than
      // exist, so (as FFmpeg does) the end padding of the last promised frame is not trimmed from the last one.
      expect(src.index.frameCount).toBe(index.frameCount - 1);
      expect(totalSamples(src.index)).toBe(src.pcm.length / src.index.channels);
      for (const [startMs, endMs] of [
        [0, 1500],
        [7321, 12_345],
      ] as const) {
        const clip = await cutClip(src.index, bytesSource(bytes), startMs, endMs);
        await expectFaithfulClip(src, clip);
      }
    },
  );

  it.each(["vbr", "mpeg2", "mono8k", "vbr48Mono", "mpeg25Mono"] as const)(
    "%s: a file cut short mid-frame keeps its last frames' audio, and clips past the end end with the decoder's audio",
    async (name: FixtureName) => {
      const clean = await fixtureBytes(name);
      const { index, offsets } = await frameOffsets(clean);
      expect(readXing(clean.subarray(index.headerFrame!.offset))?.frames).toBe(index.frameCount);
      const cutFrame = Math.floor(index.frameCount * 0.7);
      const at = offsets[cutFrame]! + Math.floor((offsets[cutFrame + 1]! - offsets[cutFrame]!) / 2);
      const src = await damagedSource(clean.slice(0, at));
      const channels = src.index.channels;
      const decoded = src.pcm.length / channels;
      expect(src.index.frameCount).toBe(cutFrame);
      // FFmpeg decodes the partial last frame from the half it has; the index leaves it out and says the
      // audio ends one frame earlier: the clamp, within one frame of the decoder's end at every rate.
      const missing = decoded - totalSamples(src.index);
      expect(missing).toBeGreaterThanOrEqual(0);
      expect(missing).toBeLessThanOrEqual(src.index.samplesPerFrame);
      const end = Math.floor(durationMs(src.index));
      const clip = await cutClip(src.index, bytesSource(src.bytes), end - 1500, end + 5000);
      expect(clip.plan.clampedToEnd).toBe(true);
      expect(clip.plan.endSample).toBe(totalSamples(src.index));
      await expectFaithfulClip(src, clip);
      console.info(
        `[truncated ${name}] decoder end - clip end = ${missing} samples = ${((missing * 1000) / src.index.sampleRate).toFixed(1)} ms`,
      );
    },
  );

  it("junk-laden: runs of garbage between frames are skipped, clips across them match FFmpeg's decode", async () => {
    const clean = await fixtureBytes("vbr");
    const { index, offsets } = await frameOffsets(clean);
    let bytes: Uint8Array = clean;
    // Inserted back to front so earlier offsets stay valid.
    for (const [share, size] of [
      [0.8, 300_000],
      [0.5, 64_000],
      [0.2, 5000],
    ] as const) {
      bytes = splice(bytes, offsets[Math.floor(index.frameCount * share)]!, 0, junk(size, size));
    }
    // The reference is the clean file's decode: every frame is still there, byte for byte. (FFmpeg's own
    // decode of the junk-laden file loses up to one frame at each run of junk, so it is no timeline to cut to.)
    const src = { ...(await damagedSource(bytes)), pcm: await decodePcm(await fixture("vbr")) };
    expect(src.index.frameCount).toBe(index.frameCount);
    expect(src.index.jumps).toHaveLength(3);
    expect(src.index.gapless).toEqual(index.gapless);
    for (const startMs of [7000, 19_000, 31_000]) {
      // Each clip starts before a run of junk and ends after it.
      await expectFaithfulClip(src, await cutClip(src.index, bytesSource(bytes), startMs, startMs + 2500));
    }
  });
});
