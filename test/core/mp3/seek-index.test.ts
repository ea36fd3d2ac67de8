import { describe, expect, it } from "vitest";
import { ClipError } from "../../../core/errors.js";
import { bytesSource, countingSource, type ByteSource } from "../../../core/mp3/byte-source.js";
import { spanForFrames, walkFrames } from "../../../core/mp3/frame-walk.js";
import { id3v2TagLength } from "../../../core/mp3/id3.js";
import { buildSeekIndex } from "../../../core/mp3/build-seek-index.js";
import {
  durationMs,
  frameForSample,
  IndexMismatchError,
  totalSamples,
  type SeekIndex,
} from "../../../core/mp3/seek-index.js";
import { fixture, fixtureBytes, probePackets, probeStream, tempMp3, type FixtureName } from "./fixtures.js";

/** Every frame offset, by walking the whole file from the index (what a cut does for a few frames). */
function allFrames(index: SeekIndex, bytes: Uint8Array): { offsets: number[]; sizes: number[] } {
  const walked = walkFrames(index, spanForFrames(index, 0, index.frameCount - 1), bytes, 0);
  return { offsets: Array.from(walked.offsets), sizes: walked.headers.map((h) => h.frameLength) };
}

async function expectMatchesFfprobe(path: string, bytes: Uint8Array, index: SeekIndex): Promise<void> {
  const { packets, timeBase } = await probePackets(path);
  const { offsets, sizes } = allFrames(index, bytes);
  expect(index.frameCount).toBe(packets.length);
  expect(offsets).toEqual(packets.map((p) => p.pos));
  expect(sizes).toEqual(packets.map((p) => p.size));
  // Frame k starts at k × samplesPerFrame: the sum of the durations before it, as ffprobe's pts say.
  const ticksPerSample = 1 / (timeBase * index.sampleRate);
  packets.forEach((p, k) => {
    if (p.pts !== k * index.samplesPerFrame * ticksPerSample) {
      throw new Error(`frame ${k}: pts ${p.pts}, index says ${k * index.samplesPerFrame * ticksPerSample}`);
    }
  });
}

// Generous: the first run also generates the FFmpeg fixtures.
describe("buildSeekIndex on FFmpeg-made files", { timeout: 60_000 }, () => {
  const cases: [FixtureName, Partial<SeekIndex>][] = [
    ["cbr", { version: 1, sampleRate: 44100, channels: 2, minBitrateKbps: 128, maxBitrateKbps: 128 }],
    ["vbr", { version: 1, sampleRate: 44100, channels: 2 }],
    ["mpeg2", { version: 2, sampleRate: 22050, samplesPerFrame: 576 }],
    ["mpeg25Mono", { version: 2.5, sampleRate: 11025, channels: 1, samplesPerFrame: 576 }],
    ["mono", { version: 1, channels: 1 }],
    ["bigId3", { version: 1 }],
    ["noXing", { headerFrame: null, gapless: null }],
  ];

  it.each(cases)(
    "%s: every frame where ffprobe sees a packet, times = sum of frame durations",
    async (name, expected) => {
      const path = await fixture(name);
      const bytes = await fixtureBytes(name);
      const index = await buildSeekIndex(bytesSource(bytes), { chunkSize: 64 * 1024 });
      expect(index).toMatchObject({ layer: 3, ...expected });
      await expectMatchesFfprobe(path, bytes, index);
      const probed = await probeStream(path);
      expect(probed.packets).toBe(index.frameCount);
      expect(index.sampleRate).toBe(probed.sampleRate);
    },
  );

  it("gives the same index whatever the chunk size (reads split frames and headers anywhere)", async () => {
    const bytes = await fixtureBytes("vbr");
    const reference = await buildSeekIndex(bytesSource(bytes), { chunkSize: 4 * 1024 * 1024 });
    for (const chunkSize of [1, 7, 417, 4096]) {
      const index = await buildSeekIndex(bytesSource(bytes), { chunkSize, readAhead: 2 });
      expect(index).toEqual(reference);
    }
  });

  it("skips a big ID3v2 tag by its declared size without reading it", async () => {
    const bytes = await fixtureBytes("bigId3");
    const tagLength = id3v2TagLength(bytes)!;
    expect(tagLength).toBeGreaterThan(300_000);
    const source = countingSource(bytesSource(bytes));
    const index = await buildSeekIndex(source, { chunkSize: 256 * 1024 });
    expect(index.headerFrame?.offset).toBe(tagLength);
    expect(source.bytesRead).toBeLessThan(bytes.length - tagLength + 1024);
    expect(index.audioEnd).toBe(bytes.length - 128); // stops before the ID3v1 tag
  });

  it("reads the LAME tag's delay and padding, which fix the playable length", async () => {
    const path = await fixture("cbr");
    const index = await buildSeekIndex(bytesSource(await fixtureBytes("cbr")));
    expect(index.gapless).toEqual({ encoderDelay: 576, encoderPadding: expect.any(Number) });
    expect(totalSamples(index)).toBe(40 * 44100);
    expect(durationMs(index)).toBe(40_000);
    expect(frameForSample(index, 0)).toBe(0);
    expect(frameForSample(index, 1152 - 1105)).toBe(1);
    expect((await probeStream(path)).packets * 1152 - 576 - index.gapless!.encoderPadding).toBe(40 * 44100);
  });

  it("resyncs over junk between frames (with false sync words inside) and records the jump", async () => {
    const bytes = await fixtureBytes("cbr");
    const clean = await buildSeekIndex(bytesSource(bytes));
    const { offsets } = allFrames(clean, bytes);
    const cut = offsets[100]!;
    const junk = new Uint8Array(1000).map((_, i) => (i * 37 + 11) & 0xff);
    junk.set([0xff, 0xfb, 0x90, 0x64], 300); // a header whose "next frame" is junk
    junk.set([0xff, 0xfb, 0x92, 0x64], 700);
    junk[0] = 0;
    const dirty = new Uint8Array(bytes.length + junk.length);
    dirty.set(bytes.subarray(0, cut));
    dirty.set(junk, cut);
    dirty.set(bytes.subarray(cut), cut + junk.length);
    const index = await buildSeekIndex(bytesSource(dirty), { chunkSize: 333 });
    expect(index.frameCount).toBe(clean.frameCount);
    expect(index.jumps).toEqual([{ frame: 100, offset: cut + junk.length }]);
    const walked = allFrames(index, dirty).offsets;
    expect(walked.slice(0, 100)).toEqual(offsets.slice(0, 100));
    expect(walked.slice(100)).toEqual(offsets.slice(100).map((o) => o + junk.length));
    // FFmpeg's parser hands the junk to its decoder as packets, the last one glued to frame 100; before
    // and after that, its packets are exactly our frames.
    const tmp = tempMp3(dirty);
    try {
      const positions = (await probePackets(tmp.path)).packets.map((p) => p.pos);
      const resumed = cut + junk.length;
      expect(positions.filter((p) => p < cut)).toEqual(walked.slice(0, 100));
      expect(positions.filter((p) => p > resumed)).toEqual(walked.filter((o) => o > resumed));
    } finally {
      tmp.remove();
    }
  });

  it("treats a VBRI first frame as a header (FFmpeg skips it) and plays raw frames", async () => {
    const bytes = (await fixtureBytes("vbr")).slice();
    const xing = await buildSeekIndex(bytesSource(bytes));
    const at = xing.headerFrame!.offset;
    bytes.fill(0, at + 4, at + xing.headerFrame!.length);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + at);
    bytes.set(new TextEncoder().encode("VBRI"), at + 36);
    dv.setUint16(40, 1);
    dv.setUint32(46, bytes.length - at);
    dv.setUint32(50, xing.frameCount);
    const index = await buildSeekIndex(bytesSource(bytes));
    expect(index.headerFrame).toEqual({ kind: "VBRI", offset: at, length: xing.headerFrame!.length });
    expect(index.gapless).toBeNull();
    expect(index.frameCount).toBe(xing.frameCount);
    const tmp = tempMp3(bytes);
    try {
      await expectMatchesFfprobe(tmp.path, bytes, index);
    } finally {
      tmp.remove();
    }
  });

  it("rejects what is not MP3 with unprocessable_source", async () => {
    const noise = new Uint8Array(200_000).map((_, i) => (i * 2654435761) >>> 24);
    const wav = new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ".padEnd(5000, "\0"));
    for (const bytes of [noise, wav, new Uint8Array(0)]) {
      await expect(buildSeekIndex(bytesSource(bytes))).rejects.toMatchObject({
        code: "unprocessable_source",
      } satisfies Partial<ClipError>);
    }
  });

  it("passes read failures through (scripted fault) without leaving reads dangling", async () => {
    const bytes = await fixtureBytes("cbr");
    let reads = 0;
    const failing: ByteSource = {
      size: bytes.length,
      readRange: async (start, end) => {
        if (++reads === 4) throw new Error("connection reset");
        return bytes.subarray(start, end);
      },
    };
    await expect(buildSeekIndex(failing, { chunkSize: 8192, readAhead: 3 })).rejects.toThrow("connection reset");
  });

  it("a walk over bytes that changed since indexing fails with IndexMismatchError", async () => {
    const bytes = await fixtureBytes("vbr");
    const index = await buildSeekIndex(bytesSource(bytes));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const span = spanForFrames(index, 200, 260);
    expect(() => walkFrames(index, span, shifted.subarray(span.start, span.end), span.start)).toThrow(
      IndexMismatchError,
    );
  });
});
