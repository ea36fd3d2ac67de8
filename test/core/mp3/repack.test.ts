import { describe, expect, it } from "vitest";
import { bytesSource } from "../../../core/mp3/byte-source.js";
import { cutClip, DEFAULT_MAX_REPACK_GROWTH } from "../../../core/mp3/cut.js";
import { parseFrameHeader } from "../../../core/mp3/frame-header.js";
import { repackFrames, type SourceFrame } from "../../../core/mp3/repack.js";
import { buildSeekIndex } from "../../../core/mp3/build-seek-index.js";
import { readXing } from "../../../core/mp3/xing.js";
import { decodePcm, fixtureBytes, tempMp3, type FixtureName } from "./fixtures.js";

/** The audio frames of a whole file after its Info frame (the fixtures have no junk between frames). */
function framesOf(bytes: Uint8Array): SourceFrame[] {
  let at = 0;
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    at =
      10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f));
  }
  const first = parseFrameHeader(bytes, at)!;
  at += first.frameLength;
  const frames: SourceFrame[] = [];
  for (let h = parseFrameHeader(bytes, at); h && at + h.frameLength <= bytes.length; h = parseFrameHeader(bytes, at)) {
    frames.push({ header: h, bytes: bytes.subarray(at, at + h.frameLength) });
    at += h.frameLength;
  }
  return frames;
}

async function decode(bytes: Uint8Array): Promise<Float32Array> {
  const tmp = tempMp3(bytes);
  try {
    return await decodePcm(tmp.path);
  } finally {
    tmp.remove();
  }
}

describe("repacking VBR frames to one frame size", () => {
  // Without an Info frame: its frame and byte counts would make FFmpeg trim one file and not the other.
  it.each<FixtureName>(["vbr", "vbr48Mono"])(
    "%s: FFmpeg decodes the repacked frames to the same samples",
    async (name) => {
      const frames = framesOf(await fixtureBytes(name));
      const repacked = repackFrames(frames)!;
      expect(repacked).not.toBeNull();
      expect(repacked.frameStarts).toHaveLength(frames.length);
      const original = new Uint8Array(frames.reduce((n, f) => n + f.bytes.length, 0));
      frames.reduce((at, f) => (original.set(f.bytes, at), at + f.bytes.length), 0);
      const [want, got] = await Promise.all([decode(original), decode(repacked.audio)]);
      expect(got.length).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs((got[i] ?? 0) - (want[i] ?? 0)));
      console.info(`[repack ${name}] ${repacked.bitrateKbps} kbps, ${frames.length} frames, max diff ${diff}`);
      expect(diff).toBe(0);
    },
  );

  it.each<FixtureName>(["vbr", "vbr48Mono", "cbr"])(
    "%s clips: the repacked clip decodes to the same samples as the clip of source frames, with an Info header",
    async (name) => {
      const bytes = await fixtureBytes(name);
      const index = await buildSeekIndex(bytesSource(bytes));
      let repackedClips = 0;
      for (let i = 0; i < 6; i++) {
        const [startMs, endMs] = [i * 3271, i * 3271 + 2000 + i * 500];
        // Whatever the growth: this proves the repacking itself is lossless.
        const repacked = await cutClip(index, bytesSource(bytes), startMs, endMs, { maxRepackGrowth: Infinity });
        const copied = await cutClip(index, bytesSource(bytes), startMs, endMs, { repack: false });
        expect(readXing(copied.bytes)?.kind).toBe(name === "cbr" ? "Info" : "Xing");
        if (repacked.repackedKbps === null) continue;
        repackedClips++;
        expect(readXing(repacked.bytes)?.kind).toBe("Info");
        // CBR keeps its bitrate; only where its padding bytes fall changes.
        if (name === "cbr") expect(repacked.repackedKbps).toBe(128);
        expect(repacked.frames).toBeLessThanOrEqual(copied.frames);
        const [want, got] = await Promise.all([decode(copied.bytes), decode(repacked.bytes)]);
        expect(got).toEqual(want);
      }
      expect(repackedClips).toBeGreaterThanOrEqual(5);
    },
  );

  it("a clip whose repacking would weigh more than maxRepackGrowth keeps its frames and a Xing TOC", async () => {
    const bytes = await fixtureBytes("vbr");
    const index = await buildSeekIndex(bytesSource(bytes));
    const kinds = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const [startMs, endMs] = [i * 3271, i * 3271 + 2000 + i * 500];
      const copied = await cutClip(index, bytesSource(bytes), startMs, endMs, { repack: false });
      const unbounded = await cutClip(index, bytesSource(bytes), startMs, endMs, { maxRepackGrowth: Infinity });
      const capped = await cutClip(index, bytesSource(bytes), startMs, endMs);
      const growth = unbounded.bytes.length / copied.bytes.length;
      // The cap weighs the audio frames; the Info frames' sizes differ a little with the bitrate.
      if (capped.repackedKbps === null) {
        kinds.add("copied");
        expect(readXing(capped.bytes)?.kind).toBe("Xing");
        expect(capped.bytes).toEqual(copied.bytes);
        expect(growth).toBeGreaterThan(DEFAULT_MAX_REPACK_GROWTH - 0.05);
      } else {
        kinds.add("repacked");
        expect(capped.bytes).toEqual(unbounded.bytes);
        expect(growth).toBeLessThanOrEqual(DEFAULT_MAX_REPACK_GROWTH + 0.05);
      }
    }
    // This fixture's clips need 1.3x to 2.9x: some are repacked, some keep their frames.
    expect([...kinds].sort()).toEqual(["copied", "repacked"]);
  });
});
