import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesSource } from "../../../core/mp3/byte-source.js";
import { decodeSeekIndex, encodeSeekIndex } from "../../../core/mp3/index-codec.js";
import { buildSeekIndex } from "../../../core/mp3/build-seek-index.js";
import { INDEX_FORMAT_VERSION, type SeekIndex } from "../../../core/mp3/seek-index.js";
import { fixtureBytes } from "./fixtures.js";

const indexArb: fc.Arbitrary<SeekIndex> = fc
  .record({
    frameCount: fc.integer({ min: 1, max: 3000 }),
    stride: fc.integer({ min: 1, max: 64 }),
    audioStart: fc.integer({ min: 0, max: 2 ** 40 }),
    sizes: fc.array(fc.integer({ min: 24, max: 2881 }), { minLength: 1, maxLength: 3000 }),
    jumpFrames: fc.uniqueArray(fc.integer({ min: 1, max: 2999 }), { maxLength: 5 }),
    sourceTag: fc.string({ maxLength: 40 }),
    gapless: fc.option(fc.record({ encoderDelay: fc.nat(4095), encoderPadding: fc.nat(4095) }), { nil: null }),
    quality: fc.option(fc.nat(100), { nil: null }),
    withLame: fc.boolean(),
  })
  .map((r) => {
    const frameCount = Math.min(r.frameCount, r.sizes.length);
    const offsets: number[] = [];
    const jumps = r.jumpFrames.filter((f) => f < frameCount).sort((a, b) => a - b);
    let p = r.audioStart;
    for (let f = 0; f < frameCount; f++) {
      if (jumps.includes(f)) p += 1000;
      offsets.push(p);
      p += r.sizes[f]!;
    }
    return {
      formatVersion: INDEX_FORMAT_VERSION,
      sourceSize: p + 128,
      sourceTag: r.sourceTag,
      version: 2.5,
      layer: 3,
      sampleRate: 8000,
      samplesPerFrame: 576,
      channels: 1,
      minBitrateKbps: 8,
      maxBitrateKbps: 160,
      headerFrame: { kind: "Xing", offset: Math.max(0, r.audioStart - 200), length: 200 },
      gapless: r.gapless,
      lame: r.withLame
        ? {
            encoderBytes: new TextEncoder().encode("LAME3.100"),
            revisionAndMethod: 0x13,
            lowpass: 160,
            encodingFlags: 0x20,
            bitrate: 32,
            misc: 0x44,
            presetAndSurround: 0x1234,
          }
        : null,
      xingQuality: r.quality,
      audioStart: r.audioStart,
      audioEnd: p,
      frameCount,
      stride: r.stride,
      checkpoints: Float64Array.from(offsets.filter((_, i) => i % r.stride === 0)),
      jumps: jumps.map((frame) => ({ frame, offset: offsets[frame]! })),
    } satisfies SeekIndex;
  });

// Generous: the first run also generates the FFmpeg fixtures.
describe("seek index codec", { timeout: 60_000 }, () => {
  it("round-trips any index", () => {
    fc.assert(
      fc.property(indexArb, (index) => {
        expect(decodeSeekIndex(encodeSeekIndex(index))).toEqual(index);
      }),
    );
  });

  it("round-trips a real index, at ~2 bytes per checkpoint", async () => {
    const index = await buildSeekIndex(bytesSource(await fixtureBytes("vbr")), { sourceTag: '"etag-1"' });
    const encoded = encodeSeekIndex(index);
    expect(decodeSeekIndex(encoded)).toEqual(index);
    expect(encoded.length).toBeLessThan(120 + 2 * index.checkpoints.length);
  });

  it("rejects every truncation, trailing bytes, another magic and another format version", async () => {
    const encoded = encodeSeekIndex(await buildSeekIndex(bytesSource(await fixtureBytes("cbr"))));
    for (let n = 0; n < encoded.length; n++) expect(() => decodeSeekIndex(encoded.subarray(0, n))).toThrow(RangeError);
    const longer = new Uint8Array(encoded.length + 1);
    longer.set(encoded);
    expect(() => decodeSeekIndex(longer)).toThrow(/trailing/);
    const magic = encoded.slice();
    magic[0] = 0x58;
    expect(() => decodeSeekIndex(magic)).toThrow(/not an edgeclip/);
    const version = encoded.slice();
    version[4] = INDEX_FORMAT_VERSION + 1;
    expect(() => decodeSeekIndex(version)).toThrow(/unsupported/);
  });
});
