import { describe, expect, it } from "vitest";
import { bytesSource } from "../../../core/mp3/byte-source.js";
import { aacPacketRange, aacSizesNeeded, planAacCut } from "../../../core/mp4/aac-cut.js";
import {
  aacIndexHeadLength,
  aacSizesByteRange,
  decodeAacIndex,
  decodeAacSizes,
  encodeAacIndex,
} from "../../../core/mp4/aac-index-codec.js";
import { buildAacIndex } from "../../../core/mp4/aac-index.js";
import { withSizes } from "../../../core/mp4/packet-layout.js";
import { aacFixtureBytes, type AacFixtureName } from "./fixtures.js";

const NAMES: AacFixtureName[] = ["moovAtEnd", "mono48", "video"];

describe("the stored AAC index", () => {
  it.each(NAMES)("%s: round-trips", async (name) => {
    const index = await buildAacIndex(bytesSource(await aacFixtureBytes(name)), { sourceTag: "etag-1" });
    expect(decodeAacIndex(encodeAacIndex(index))).toEqual(index);
  });

  it.each(NAMES)("%s: its head and one window of sizes plan the same cut as the whole index", async (name) => {
    const index = await buildAacIndex(bytesSource(await aacFixtureBytes(name)));
    const stored = encodeAacIndex(index);
    const headLength = aacIndexHeadLength(stored);
    // An audio-only file is one run of packets; a video podcast's audio has a jump per chunk.
    if (index.jumps.length === 0) expect(headLength).toBeLessThan(stored.length / 4);
    const head = decodeAacIndex(stored.subarray(0, headLength));
    expect(head.sizes).toHaveLength(0);
    expect(() => planAacCut(head, 7321, 12_345)).toThrow(RangeError);
    const need = aacSizesNeeded(head, aacPacketRange(head, 7321, 12_345));
    const range = aacSizesByteRange(headLength, need.from, need.to);
    const loaded = withSizes(head, need.from, decodeAacSizes(stored.subarray(range.start, range.end)));
    expect(planAacCut(loaded, 7321, 12_345)).toEqual(planAacCut(index, 7321, 12_345));
    expect(range.end - range.start).toBeLessThan(2 * (need.to - need.from) + 1);
  });

  it("rejects truncations, trailing bytes, another magic and another version", async () => {
    const stored = encodeAacIndex(await buildAacIndex(bytesSource(await aacFixtureBytes("mono48"))));
    const head = aacIndexHeadLength(stored);
    for (const cut of [3, 8, head - 1, head + 1, stored.length - 1]) {
      expect(() => decodeAacIndex(stored.subarray(0, cut))).toThrow(RangeError);
    }
    expect(() => decodeAacIndex(Uint8Array.from([...stored, 0, 0]))).toThrow(RangeError);
    const other = stored.slice();
    other[4] = 99;
    expect(() => decodeAacIndex(other)).toThrow(RangeError);
    other.set([0x45, 0x43, 0x4d, 0x49]);
    expect(() => decodeAacIndex(other)).toThrow(RangeError);
  });
});
