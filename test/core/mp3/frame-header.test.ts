import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedBitrates,
  decodeFrameHeader,
  encodeFrameHeader,
  mainDataBegin,
  mainDataCapacity,
  parseFrameHeader,
  sameStream,
  type MpegLayer,
  type MpegVersion,
} from "../../../core/mp3/frame-header.js";

describe("decodeFrameHeader", () => {
  it.each([
    // raw, version, layer, kbps, rate, channels, length, samples, side info
    [0xfffb9064, 1, 3, 128, 44100, 2, 417, 1152, 32], // the common podcast frame
    [0xfffb9264, 1, 3, 128, 44100, 2, 418, 1152, 32], // same with padding
    [0xfffbe0c4, 1, 3, 320, 44100, 1, 1044, 1152, 17], // MPEG-1 mono
    [0xfff38000, 2, 3, 64, 22050, 2, 208, 576, 17], // MPEG-2
    [0xffe340c0, 2.5, 3, 32, 11025, 1, 208, 576, 9], // MPEG-2.5 mono
    [0xffe318c0, 2.5, 3, 8, 8000, 1, 72, 576, 9], // MPEG-2.5 at the lowest rate
    [0xfffda400, 1, 2, 192, 48000, 2, 576, 1152, 0], // Layer II
    [0xffffca00, 1, 1, 384, 32000, 2, 580, 384, 0], // Layer I with padding (4-byte slots)
  ])("%s", (raw, version, layer, kbps, rate, channels, length, samples, sideInfo) => {
    const h = decodeFrameHeader(raw);
    expect(h).toMatchObject({
      version,
      layer,
      bitrateKbps: kbps,
      sampleRate: rate,
      channels,
      frameLength: length,
      samplesPerFrame: samples,
      sideInfoLength: sideInfo,
      crcProtected: false,
    });
  });

  it("reads the protection bit (0 means a CRC follows)", () => {
    expect(decodeFrameHeader(0xfffa9064)?.crcProtected).toBe(true);
  });

  it.each([
    ["bad sync", 0xffdb9064],
    ["reserved version", 0xffeb9064],
    ["reserved layer", 0xfff99064],
    ["bitrate index 15", 0xfffbf064],
    ["free format", 0xfffb0064],
    ["reserved sample rate", 0xfffb9c64],
  ])("rejects %s", (_, raw) => {
    expect(decodeFrameHeader(raw)).toBeNull();
  });

  it("parseFrameHeader needs all four bytes in range", () => {
    const bytes = new Uint8Array([0, 0xff, 0xfb, 0x90, 0x64]);
    expect(parseFrameHeader(bytes, 1)?.frameLength).toBe(417);
    expect(parseFrameHeader(bytes, 2)).toBeNull();
    expect(parseFrameHeader(bytes.subarray(0, 4), 1)).toBeNull();
  });

  it("sameStream ignores bitrate, padding and channel mode but not sample rate", () => {
    const a = decodeFrameHeader(0xfffb9064)!;
    expect(sameStream(a, decodeFrameHeader(0xfffbe2c4)!)).toBe(true);
    expect(sameStream(a, decodeFrameHeader(0xfffb9464)!)).toBe(false); // 48 kHz
    expect(sameStream(a, decodeFrameHeader(0xfff38000)!)).toBe(false); // MPEG-2
  });
});

describe("encodeFrameHeader", () => {
  const fields = fc
    .record({
      version: fc.constantFrom<MpegVersion>(1, 2, 2.5),
      layer: fc.constantFrom<MpegLayer>(1, 2, 3),
      rateIndex: fc.integer({ min: 0, max: 2 }),
      bitrateIndex: fc.integer({ min: 0, max: 13 }),
      padding: fc.boolean(),
      channelMode: fc.integer({ min: 0, max: 3 }),
      crcProtected: fc.boolean(),
    })
    .map((f) => ({
      ...f,
      bitrateKbps: allowedBitrates(f.version, f.layer)[f.bitrateIndex]!,
      sampleRate: { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] }[f.version][
        f.rateIndex
      ]!,
    }));

  it("round-trips every valid field combination", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const h = decodeFrameHeader(encodeFrameHeader(f));
        expect(h).toMatchObject({
          version: f.version,
          layer: f.layer,
          bitrateKbps: f.bitrateKbps,
          sampleRate: f.sampleRate,
          padding: f.padding,
          channelMode: f.channelMode,
          crcProtected: f.crcProtected,
        });
        expect(h!.frameLength).toBeGreaterThan(4);
      }),
    );
  });

  it("refuses a bitrate or sample rate the version cannot carry", () => {
    const base = { version: 1 as const, layer: 3 as const, channelMode: 0 };
    expect(() => encodeFrameHeader({ ...base, bitrateKbps: 8, sampleRate: 44100 })).toThrow(RangeError);
    expect(() => encodeFrameHeader({ ...base, bitrateKbps: 128, sampleRate: 22050 })).toThrow(RangeError);
  });
});

describe("main data", () => {
  it("main_data_begin is 9 bits in MPEG-1, after the CRC when there is one", () => {
    const h = decodeFrameHeader(0xfffb9064)!;
    expect(mainDataBegin(new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0xab, 0xc0]), 0, h)).toBe(0x157);
    const crc = decodeFrameHeader(0xfffa9064)!;
    expect(mainDataBegin(new Uint8Array([0xff, 0xfa, 0x90, 0x64, 0, 0, 0xff, 0x80]), 0, crc)).toBe(511);
  });

  it("main_data_begin is 8 bits in MPEG-2", () => {
    const h = decodeFrameHeader(0xfff38000)!;
    expect(mainDataBegin(new Uint8Array([0xff, 0xf3, 0x80, 0x00, 0xff, 0xff]), 0, h)).toBe(255);
  });

  it("capacity is the frame minus header, CRC and side information", () => {
    expect(mainDataCapacity(decodeFrameHeader(0xfffb9064)!)).toBe(417 - 4 - 32);
    expect(mainDataCapacity(decodeFrameHeader(0xfffa9064)!)).toBe(417 - 4 - 2 - 32);
    expect(mainDataCapacity(decodeFrameHeader(0xffe340c0)!)).toBe(208 - 4 - 9);
  });
});
