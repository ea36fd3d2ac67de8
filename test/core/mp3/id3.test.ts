import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { id3v2TagLength, isId3v1, readSyncsafe, writeSyncsafe } from "../../../core/mp3/id3.js";

function tagHeader(major: number, flags: number, size: number): Uint8Array {
  const h = new Uint8Array([0x49, 0x44, 0x33, major, 0, flags, 0, 0, 0, 0]);
  writeSyncsafe(size, h, 6);
  return h;
}

describe("ID3v2", () => {
  it("reads syncsafe sizes, including cover-art sized tags", () => {
    expect(readSyncsafe(new Uint8Array([0, 0, 2, 1]), 0)).toBe(257);
    expect(id3v2TagLength(tagHeader(3, 0, 300_000))).toBe(300_010);
    expect(id3v2TagLength(tagHeader(4, 0, 2 ** 28 - 1))).toBe(2 ** 28 + 9);
  });

  it("adds the footer only for ID3v2.4 with the footer flag", () => {
    expect(id3v2TagLength(tagHeader(4, 0x10, 1000))).toBe(1020);
    expect(id3v2TagLength(tagHeader(3, 0x10, 1000))).toBe(1010);
  });

  it("reads a tag at an offset", () => {
    const bytes = new Uint8Array(20);
    bytes.set(tagHeader(3, 0, 5), 7);
    expect(id3v2TagLength(bytes, 7)).toBe(15);
  });

  it.each([
    ["not ID3", new Uint8Array([0x49, 0x44, 0x34, 3, 0, 0, 0, 0, 0, 0])],
    ["a size byte with its high bit set", new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0x80, 0])],
    ["version 0xFF", new Uint8Array([0x49, 0x44, 0x33, 0xff, 0, 0, 0, 0, 0, 0])],
    ["fewer than 10 bytes", new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0])],
  ])("is null for %s", (_, bytes) => {
    expect(id3v2TagLength(bytes)).toBeNull();
  });

  it("syncsafe encoding round-trips over its whole range and rejects the rest", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 28 - 1 }), (v) => {
        const b = new Uint8Array(4);
        writeSyncsafe(v, b, 0);
        expect(b.every((x) => x < 0x80)).toBe(true);
        expect(readSyncsafe(b, 0)).toBe(v);
      }),
    );
    expect(() => writeSyncsafe(2 ** 28, new Uint8Array(4), 0)).toThrow(RangeError);
  });
});

describe("ID3v1", () => {
  it("recognizes a 128-byte TAG block only", () => {
    const tag = new Uint8Array(128);
    tag.set([0x54, 0x41, 0x47]);
    expect(isId3v1(tag)).toBe(true);
    expect(isId3v1(tag.subarray(0, 127))).toBe(false);
    expect(isId3v1(new Uint8Array(128))).toBe(false);
  });
});
