import { open } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { classifyFirstFrame, detectSeekMode, id3v2Size, type RangeReader } from "../../../origin/source-format.js";
import { aacTwentySeconds, cbrTenMinutes, vbrWithId3 } from "../helpers/fixtures.js";

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

describe("header parsing", () => {
  it("id3v2Size reads the syncsafe size and the footer flag", () => {
    const tag = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0x10, 0x00, 0x00, 0x02, 0x01]);
    expect(id3v2Size(tag)).toBe(10 + 257 + 10);
    expect(id3v2Size(new Uint8Array([0xff, 0xfb, 0x90, 0x00]))).toBe(0);
  });

  it("classifyFirstFrame: text and empty input are not MP3", () => {
    expect(classifyFirstFrame(new TextEncoder().encode("hello world"))).toBe("encode");
    expect(classifyFirstFrame(new Uint8Array())).toBe("encode");
  });
});
