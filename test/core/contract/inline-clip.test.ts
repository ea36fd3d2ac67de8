import { describe, expect, it } from "vitest";
import { ORIGIN_ACCEPT, acceptsClipBytes, clipFactsHeader, parseClipFacts } from "../../../core/index.js";

// #15: the Worker asks for a fresh clip's bytes in the origin's answer; the facts travel in one header.
const FACTS = {
  cache_hit: false,
  generation_time_ms: 21,
  clip_start_ms: 1000,
  clip_end_ms: 31_000,
  file_size_bytes: 480_000,
  clamped_to_episode_end: false,
};

describe("the bytes answer's contract", () => {
  it("only a caller naming the clip's media type takes bytes", () => {
    expect(acceptsClipBytes(ORIGIN_ACCEPT)).toBe(true);
    expect(acceptsClipBytes("application/json, AUDIO/MPEG;q=0.5")).toBe(true);
    for (const accept of [undefined, "", "application/json", "*/*", "audio/*", "audio/mpegx"]) {
      expect(acceptsClipBytes(accept)).toBe(false);
    }
  });

  it("the facts header reads back what was written, and nothing else", () => {
    expect(parseClipFacts(clipFactsHeader({ ...FACTS, ...{ clip_url: "https://x" } } as never))).toEqual(FACTS);
    expect(clipFactsHeader(FACTS)).not.toContain("clip_url");
    for (const bad of [
      null,
      "",
      "{",
      "[]",
      JSON.stringify({ ...FACTS, clip_start_ms: -1 }),
      JSON.stringify({ ...FACTS, cache_hit: "no" }),
    ]) {
      expect(parseClipFacts(bad)).toBeUndefined();
    }
  });

  it("carries the origin's SHA-256 of the bytes when it is a well-formed digest, else drops it", () => {
    const sha256 = "a".repeat(64);
    expect(parseClipFacts(clipFactsHeader({ ...FACTS, sha256 }))).toEqual({ ...FACTS, sha256 });
    for (const bad of ["A".repeat(64), "a".repeat(63), "z".repeat(64), 42]) {
      expect(parseClipFacts(JSON.stringify({ ...FACTS, sha256: bad }))).toEqual(FACTS);
    }
  });
});
