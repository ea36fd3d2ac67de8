import { open, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { detectFormat } from "../../core/format/detect.js";
import { writeSyncsafe } from "../../core/mp3/index.js";
import { detectSeekMode, type RangeReader } from "../../scripts/bench/seek-mode.js";
import { aacTwentySeconds, cbrTenMinutes, vbrWithId3 } from "../origin/helpers/fixtures.js";

/** Reads ranges of a local file, counting them: the real reader does the same against S3. */
function fileReader(file: string, reads: [number, number][]): RangeReader {
  return async (start, length) => {
    reads.push([start, length]);
    const handle = await open(file);
    try {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };
}

describe("detectSeekMode on generated files", () => {
  it("CBR with a LAME Info header → fast seek, from one 4 KB read", async () => {
    const reads: [number, number][] = [];
    expect(await detectSeekMode(fileReader((await cbrTenMinutes()).file, reads))).toBe("copy-fast");
    expect(reads).toHaveLength(1);
  });

  it("VBR (Xing) behind ~480 KB of ID3v2 cover art → exact seek, reading past the tag, not through it", async () => {
    const reads: [number, number][] = [];
    expect(await detectSeekMode(fileReader((await vbrWithId3()).file, reads))).toBe("copy-exact");
    expect(reads).toHaveLength(2);
    expect(reads[1]?.[0]).toBeGreaterThan(400_000);
    expect(reads[1]?.[1]).toBe(1024);
  });

  it("AAC in MP4 → encode", async () => {
    expect(await detectSeekMode(fileReader((await aacTwentySeconds()).file, []))).toBe("encode");
  });
});

/** Reads ranges of bytes in memory, counting them. */
function bytesReader(bytes: Uint8Array, reads: [number, number][] = []): RangeReader {
  return async (start, length) => {
    reads.push([start, length]);
    return bytes.subarray(start, start + length);
  };
}

/** An ID3v2 tag of `major` version 3 or 4: a title frame, then zero padding up to `size` body bytes. */
function id3Tag(major: 3 | 4, size: number, title: string): Uint8Array {
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, major, 0, 0]);
  writeSyncsafe(size, tag, 6);
  const text = new TextEncoder().encode(`\u0000${title}`);
  tag.set(new TextEncoder().encode("TIT2"), 10);
  if (major === 4) writeSyncsafe(text.length, tag, 14);
  else new DataView(tag.buffer).setUint32(14, text.length);
  tag.set(text, 20);
  return tag;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("the one format detector (core/mp3) on stacked, empty and tag-only files", () => {
  it("a v2.3 tag followed by a v2.4 tag (as re-taggers write) is still MP3, read past both tags", async () => {
    const mp3 = new Uint8Array(await readFile((await cbrTenMinutes()).file)); // FFmpeg writes an ID3v2.4 tag
    expect([mp3[3], mp3[0]]).toEqual([4, 0x49]);
    const stacked = concat(id3Tag(3, 3000, "re-tagged"), mp3);
    const reads: [number, number][] = [];
    expect(await detectSeekMode(bytesReader(stacked, reads))).toBe("copy-fast");
    expect(await detectFormat(bytesReader(stacked))).toMatchObject({ kind: "mpeg", layer: 3, tags: 2 });
    // Both tags and the frame fit the first 4 KB here: one read.
    expect(reads).toHaveLength(1);
  });

  it("stacked in front of ~480 KB of cover art (VBR): one small read per tag that ends past what was read", async () => {
    const vbr = new Uint8Array(await readFile((await vbrWithId3()).file));
    const stacked = concat(id3Tag(3, 6000, "first"), id3Tag(4, 100, "second"), vbr);
    const reads: [number, number][] = [];
    expect(await detectSeekMode(bytesReader(stacked, reads))).toBe("copy-exact");
    expect(await detectFormat(bytesReader(stacked))).toMatchObject({ kind: "mpeg", tags: 3, vbr: true });
    expect(reads.map(([, n]) => n)).toEqual([4096, 1024, 1024]);
  });

  it("names what an empty or tag-only file holds", async () => {
    expect(await detectFormat(bytesReader(new Uint8Array(0)))).toEqual({ kind: "empty" });
    expect(await detectFormat(bytesReader(id3Tag(4, 200, "x")))).toEqual({ kind: "tags-only", tags: 1 });
    const v1 = new Uint8Array(128);
    v1.set([0x54, 0x41, 0x47]);
    expect(await detectFormat(bytesReader(concat(id3Tag(3, 9000, "a"), id3Tag(4, 40, "b"), v1)))).toEqual({
      kind: "tags-only",
      tags: 2,
    });
  });

  it("free format is MPEG audio but not for copying; text and a lone tag's worth of zeros are not MP3", async () => {
    const free = new Uint8Array([0xff, 0xfb, 0x00, 0x44, ...new Array(400).fill(0)]);
    expect(await detectFormat(bytesReader(free))).toMatchObject({ kind: "mpeg", layer: 3, freeFormat: true });
    expect(await detectSeekMode(bytesReader(free))).toBe("encode");
    expect(await detectSeekMode(bytesReader(new TextEncoder().encode("hello world")))).toBe("encode");
    expect(await detectFormat(bytesReader(new Uint8Array(5000)))).toEqual({ kind: "other", tags: 0 });
  });
});
