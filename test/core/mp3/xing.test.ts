import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { crc16 } from "../../../core/mp3/crc16.js";
import { decodeFrameHeader, encodeFrameHeader, readUint32BE } from "../../../core/mp3/frame-header.js";
import { id3v2TagLength } from "../../../core/mp3/id3.js";
import { buildToc, writeInfoFrame, type InfoFrameSpec } from "../../../core/mp3/info-frame.js";
import { readVbri, readXing } from "../../../core/mp3/xing.js";
import { fixture, probeStream } from "./fixtures.js";

const LAME = new TextEncoder().encode("LAME3.100");

function spec(raw: number, overrides: Partial<InfoFrameSpec> = {}): InfoFrameSpec {
  return {
    template: decodeFrameHeader(raw)!,
    kind: "Info",
    frames: 1234,
    audioBytes: 500_000,
    toc: buildToc(1234, 500_000, (k) => k * 405),
    quality: 57,
    lame: { encoderBytes: LAME, encoderDelay: 2196, encoderPadding: 1296, musicCrc: 0xbeef, lowpass: 170 },
    ...overrides,
  };
}

describe("crc16", () => {
  it("is CRC-16/ARC (check value of '123456789' is 0xBB3D)", () => {
    expect(crc16(new TextEncoder().encode("123456789"))).toBe(0xbb3d);
  });

  it("sliced, it agrees with the bitwise definition at every length, offset and carried-in value", () => {
    const bitwise = (b: Uint8Array, start: number, end: number, crc: number) => {
      let c = crc;
      for (let i = start; i < end; i++) {
        c ^= b[i]!;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
      }
      return c;
    };
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 2654435761) >>> 24);
    for (let start = 0; start < 20; start++) {
      for (let end = start; end <= bytes.length; end += 7) {
        expect(crc16(bytes, start, end, 0x1234)).toBe(bitwise(bytes, start, end, 0x1234));
      }
    }
    // A long run, split anywhere, carries over: the music CRC of a clip is one value over every frame.
    expect(crc16(bytes, 100, 300, crc16(bytes, 0, 100))).toBe(crc16(bytes));
  });
});

// Generous: the first run also generates the FFmpeg fixtures.
describe("writeInfoFrame / readXing", { timeout: 60_000 }, () => {
  it.each([
    ["MPEG-1 stereo 128k", 0xfffb9064],
    ["MPEG-1 mono", 0xfffb90c4],
    ["MPEG-2 stereo", 0xfff38000],
    ["MPEG-2.5 mono 8 kHz", 0xffe318c0],
  ])("round-trips every field (%s)", (_, raw) => {
    const frame = writeInfoFrame(spec(raw));
    const h = decodeFrameHeader(readUint32BE(frame, 0))!;
    expect(h.frameLength).toBe(frame.length);
    expect(h.sampleRate).toBe(decodeFrameHeader(raw)!.sampleRate);
    expect(h.crcProtected).toBe(false);
    const x = readXing(frame)!;
    expect(x).toMatchObject({ kind: "Info", frames: 1234, bytes: frame.length + 500_000, quality: 57 });
    expect(Array.from(x.toc!)).toEqual(Array.from(spec(raw).toc));
    expect(x.lame).toMatchObject({
      encoder: "LAME3.100",
      encoderDelay: 2196,
      encoderPadding: 1296,
      lowpass: 170,
      musicLength: frame.length + 500_000,
      musicCrc: 0xbeef,
      tagCrcValid: true,
      gapless: true,
    });
  });

  it("keeps the stream's bitrate when the tags fit, so a CBR clip stays CBR", () => {
    expect(decodeFrameHeader(readUint32BE(writeInfoFrame(spec(0xfffb9064)), 0))!.bitrateKbps).toBe(128);
  });

  it("moves to the smallest bitrate that holds the tags when the stream's is too small", () => {
    const frame = writeInfoFrame(spec(0xffe318c0)); // 8 kbit/s: a 72-byte frame
    expect(decodeFrameHeader(readUint32BE(frame, 0))!.bitrateKbps).toBe(24);
  });

  it("detects a corrupted tag through its CRC", () => {
    const frame = writeInfoFrame(spec(0xfffb9064));
    frame[60] = (frame[60] ?? 0) ^ 1;
    expect(readXing(frame)?.lame?.tagCrcValid).toBe(false);
  });

  it("refuses a delay or padding that does not fit 12 bits", () => {
    const s = spec(0xfffb9064);
    expect(() => writeInfoFrame({ ...s, lame: { ...s.lame, encoderDelay: 4096 } })).toThrow(RangeError);
    expect(() => writeInfoFrame({ ...s, lame: { ...s.lame, encoderPadding: -1 } })).toThrow(RangeError);
  });

  it("reads FFmpeg's own Info frame, and computes the same tag CRC FFmpeg wrote", async () => {
    const path = await fixture("cbr");
    const bytes = new Uint8Array(await readFile(path));
    const start = id3v2TagLength(bytes) ?? 0;
    const x = readXing(bytes.subarray(start, start + 417))!;
    expect(x.kind).toBe("Info");
    expect(x.frames).toBe((await probeStream(path)).packets);
    expect(x.bytes).toBe(bytes.length - start);
    expect(x.lame).toMatchObject({ encoderDelay: 576, tagCrcValid: true, gapless: true });
    expect(x.lame!.musicCrc).toBe(crc16(bytes, start + 417));
  });

  it("is null for an ordinary audio frame", () => {
    const frame = new Uint8Array(417);
    new DataView(frame.buffer).setUint32(0, 0xfffb9064);
    expect(readXing(frame)).toBeNull();
  });
});

describe("readVbri", () => {
  it("reads the Fraunhofer header 32 bytes after the frame header", () => {
    const frame = new Uint8Array(417);
    const dv = new DataView(frame.buffer);
    dv.setUint32(0, encodeFrameHeader({ version: 1, layer: 3, bitrateKbps: 128, sampleRate: 44100, channelMode: 1 }));
    frame.set(new TextEncoder().encode("VBRI"), 36);
    dv.setUint16(40, 1);
    dv.setUint16(42, 1105);
    dv.setUint16(44, 75);
    dv.setUint32(46, 987_654);
    dv.setUint32(50, 2345);
    dv.setUint16(54, 100);
    expect(readVbri(frame)).toMatchObject({
      version: 1,
      delay: 1105,
      quality: 75,
      bytes: 987_654,
      frames: 2345,
      tocEntries: 100,
    });
    expect(readXing(frame)).toBeNull();
  });
});

describe("buildToc", () => {
  it("starts at 0, never decreases and stays below 256", () => {
    const sizes = Array.from({ length: 500 }, (_, i) => 104 + ((i * 7919) % 940));
    const starts = sizes.reduce<number[]>((acc, _, i) => [...acc, i === 0 ? 0 : acc[i - 1]! + sizes[i - 1]!], []);
    const total = starts[499]! + sizes[499]!;
    const toc = Array.from(buildToc(500, total, (k) => starts[k]!));
    expect(toc[0]).toBe(0);
    expect(toc.every((v, i) => i === 0 || v >= toc[i - 1]!)).toBe(true);
    expect(toc[50]).toBe(Math.floor((256 * starts[250]!) / total));
  });
});
