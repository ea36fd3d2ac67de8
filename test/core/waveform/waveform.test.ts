import { describe, expect, it } from "vitest";
import { clipLabel, fileNameBase, formatClock, PeakAccumulator, sliceWaveform } from "../../../core/index.js";
import { buildId3v2Tag, id3v2TagLength, readId3Fields } from "../../../core/mp3/index.js";

describe("peaks", () => {
  it("folds 16-bit samples into 8-bit min/max pixels of 100 ms, keeping a last partial pixel", () => {
    const peaks = new PeakAccumulator(100); // 10 samples per pixel
    peaks.push(Int16Array.from([0, 256, -512, 32767, -32768, 0, 0, 0, 0, 0]));
    peaks.push(Int16Array.from([100, -100, 5]));
    const wave = peaks.finish();
    expect(wave).toMatchObject({
      version: 2,
      channels: 1,
      bits: 8,
      sample_rate: 100,
      samples_per_pixel: 10,
      length: 2,
    });
    expect(wave.data).toEqual([-128, 127, -1, 0]);
  });

  it("slices a clip's pixels by start_ms / 100 and end_ms / 100", () => {
    const wave = {
      ...new PeakAccumulator(44100).finish(),
      length: 100,
      data: Array.from({ length: 200 }, (_, i) => i),
    };
    const clip = sliceWaveform(wave, 1250, 3000);
    expect(clip.length).toBe(18);
    expect(clip.data.slice(0, 2)).toEqual([24, 25]);
    expect(sliceWaveform(wave, 9_990, 20_000).length).toBe(1);
  });
});

describe("clip labels", () => {
  it("reads times as m:ss or h:mm:ss and names files without characters file systems refuse", () => {
    expect(formatClock(754_999)).toBe("12:34");
    expect(formatClock(3_723_000)).toBe("1:02:03");
    expect(clipLabel("Ep", 754_000, 784_000)).toBe("Ep, 12:34–13:04");
    expect(fileNameBase(clipLabel('A/B: "c"?', 754_000, 784_000))).toBe("AB. c, 12.34-13.04");
  });

  it("writes an ID3v2.3 tag the reader (and any player) reads back, in any script", () => {
    const picture = { mime: "image/png", data: Uint8Array.from([1, 2, 3, 0, 4]) };
    const tag = buildId3v2Tag({
      title: "Épisode 日本, 0:10–0:15",
      album: "Show",
      artist: "Show",
      user: { EDGECLIP_SOURCE_START_MS: "10000" },
      picture,
    });
    expect(id3v2TagLength(tag)).toBe(tag.length);
    expect(readId3Fields(tag)).toEqual({
      title: "Épisode 日本, 0:10–0:15",
      album: "Show",
      artist: "Show",
      user: { EDGECLIP_SOURCE_START_MS: "10000" },
      picture,
    });
  });
});
