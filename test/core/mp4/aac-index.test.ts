import { describe, expect, it } from "vitest";
import { ClipError } from "../../../core/errors.js";
import { detectFormat } from "../../../core/format/detect.js";
import { bytesSource, countingSource, type ByteSource } from "../../../core/mp3/byte-source.js";
import { buildAacIndex } from "../../../core/mp4/aac-index.js";
import { buildAdtsIndex } from "../../../core/mp4/adts-index.js";
import { fixtureBytes } from "../mp3/fixtures.js";
import { aacFixtureBytes } from "./fixtures.js";

const headReader = (bytes: Uint8Array) => async (start: number, length: number) =>
  bytes.subarray(start, Math.min(bytes.length, start + length));

function moovSize(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length;) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    const size = dv.getUint32(0);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === "moov") return size;
    at += size;
  }
  throw new Error("no moov");
}

describe("the format comes from the bytes", () => {
  it.each([
    ["moovAtEnd", "mp4"],
    ["faststart", "mp4"],
    ["video", "mp4"],
    ["mislabelled", "mp4"],
    ["adts", "adts"],
  ] as const)("%s is %s", async (name, kind) => {
    expect((await detectFormat(headReader(await aacFixtureBytes(name)))).kind).toBe(kind);
  });

  it("MP3 stays MP3", async () => {
    expect(await detectFormat(headReader(await fixtureBytes("cbr")))).toMatchObject({ kind: "mpeg", layer: 3 });
  });
});

describe("buildAacIndex", () => {
  it("finds the moov at the end with three reads: the head, the box header after mdat, the moov", async () => {
    const bytes = await aacFixtureBytes("moovAtEnd");
    const counted = countingSource(bytesSource(bytes));
    const index = await buildAacIndex(counted);
    expect(counted.requests).toBe(3);
    expect(counted.bytesRead).toBeLessThanOrEqual(4096 + 16 + moovSize(bytes));
    expect(index).toMatchObject({ sampleRate: 44100, channels: 2, encoderDelay: 1024, totalSamples: 40 * 44100 });
  });

  it("reads a faststart file's moov with one read after the head", async () => {
    const bytes = await aacFixtureBytes("faststart");
    const counted = countingSource(bytesSource(bytes));
    const index = await buildAacIndex(counted);
    expect(counted.requests).toBe(2);
    expect(counted.bytesRead).toBeLessThanOrEqual(4096 + moovSize(bytes));
    expect(index.totalSamples).toBe(40 * 44100);
  });

  it("48 kHz mono and a video podcast's audio track", async () => {
    expect(await buildAacIndex(bytesSource(await aacFixtureBytes("mono48")))).toMatchObject({
      sampleRate: 48000,
      channels: 1,
      totalSamples: 30 * 48000,
    });
    const video = await buildAacIndex(bytesSource(await aacFixtureBytes("video")));
    expect(video).toMatchObject({ sampleRate: 44100, channels: 2, totalSamples: 20 * 44100 });
    expect(video.jumps.length).toBeGreaterThan(0); // its chunks sit between the video's
  });

  it("indexes an ADTS file from its frame headers: no encoder delay, every frame a packet", async () => {
    const bytes = await aacFixtureBytes("adts");
    const index = await buildAdtsIndex(bytesSource(bytes), { audioStart: 0 });
    expect(index).toMatchObject({ sampleRate: 44100, channels: 2, encoderDelay: 0, packetHeader: 7 });
    expect(index.totalSamples).toBe(index.packetCount * 1024);
    expect(index.sizes.reduce((n, s) => n + s, 0)).toBe(bytes.length);
  });

  it("refuses a file cut before its moov ends, and one without a moov", async () => {
    const bytes = await aacFixtureBytes("moovAtEnd");
    const cut: ByteSource = bytesSource(bytes.subarray(0, bytes.length - 100));
    await expect(buildAacIndex(cut)).rejects.toThrow(ClipError);
    const faststart = await aacFixtureBytes("faststart");
    await expect(buildAacIndex(bytesSource(faststart.subarray(0, 40)))).rejects.toMatchObject({
      code: "unprocessable_source",
    });
  });
});

describe("what the AAC index refuses, with the reason (the origin then re-encodes with FFmpeg)", () => {
  /** The fixture with its AudioSpecificConfig (AAC-LC, 44.1 kHz, stereo: 0x12 0x10) replaced. */
  async function withConfig(asc: [number, number]): Promise<Uint8Array> {
    const bytes = (await aacFixtureBytes("faststart")).slice();
    const esds = bytes.findIndex((_, i) => String.fromCharCode(...bytes.subarray(i, i + 4)) === "esds");
    const at = bytes.findIndex((b, i) => i > esds && b === 0x12 && bytes[i + 1] === 0x10);
    bytes.set(asc, at);
    return bytes;
  }

  it.each([
    ["HE-AAC (SBR)", [0x2a, 0x10], /HE-AAC \(object type 5\)/],
    ["AAC Main", [0x0a, 0x10], /object type 1/],
    ["5.1 channels", [0x12, 0x30], /channel configuration 6/],
  ] as const)("%s", async (_, asc, reason) => {
    const err = await buildAacIndex(bytesSource(await withConfig([...asc]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClipError);
    expect(err).toMatchObject({ code: "unprocessable_source", message: expect.stringMatching(reason) });
  });
});
