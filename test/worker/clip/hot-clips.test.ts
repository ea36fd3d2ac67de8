import { describe, expect, it } from "vitest";
import type { Clip } from "../../../worker/clip/clip.js";
import { HotClips } from "../../../worker/storage/hot-clips.js";

const clip = (size: number, etag = '"e"'): Clip => ({
  bytes: new Uint8Array(size).fill(7).buffer,
  startMs: 0,
  endMs: 1000,
  clamped: false,
  etag,
  generationTimeMs: 0,
  container: "mp3",
});

function hotClips(budgetBytes = 4000, ttlMs = 60_000) {
  let now = 1_000_000;
  const hot = new HotClips({ budgetBytes, ttlMs, admitAfterHits: 3, now: () => now });
  return { hot, advance: (ms: number) => void (now += ms) };
}

/** Counts hits until one earns a copy, then admits it; the number of hits it took. */
function earn(hot: HotClips, key: string, c: Clip): number {
  for (let hits = 1; hits <= 10; hits++) {
    if (hot.countCacheHit(key, c.bytes.byteLength)) {
      hot.admit(key, c);
      return hits;
    }
  }
  return Infinity;
}

describe("HotClips: the isolate's copies of its hottest clips", () => {
  it("gives a clip a copy on its third edge-cache hit, once, and serves it until the TTL", () => {
    const { hot, advance } = hotClips();
    expect(hot.countCacheHit("a", 100)).toBe(false);
    expect(hot.countCacheHit("a", 100)).toBe(false);
    expect(hot.get("a")).toBeUndefined();
    expect(hot.countCacheHit("a", 100)).toBe(true);
    // While the copy is being read, and once it is held, more hits earn nothing more.
    expect(hot.countCacheHit("a", 100)).toBe(false);
    hot.admit("a", clip(100));
    expect(hot.countCacheHit("a", 100)).toBe(false);
    expect(hot.get("a")?.bytes.byteLength).toBe(100);
    advance(59_999);
    expect(hot.get("a")).toBeDefined();
    advance(2);
    // A purge cannot reach memory: the TTL is how long an old copy can outlive one.
    expect(hot.get("a")).toBeUndefined();
    expect(earn(hot, "a", clip(100))).toBe(3);
  });

  it("counts hits within one TTL window from the first: two hits a minute apart earn nothing", () => {
    const { hot, advance } = hotClips();
    for (let i = 0; i < 5; i++) {
      expect(hot.countCacheHit("slow", 100)).toBe(false);
      advance(31_000);
    }
  });

  it("lets an abandoned read (the entry went away) be earned again", () => {
    const { hot } = hotClips();
    expect(earn(hot, "a", clip(10))).toBe(3);
    const { hot: other } = hotClips();
    for (let i = 0; i < 2; i++) other.countCacheHit("b", 10);
    expect(other.countCacheHit("b", 10)).toBe(true);
    other.abandon("b");
    expect(other.get("b")).toBeUndefined();
    expect(earn(other, "b", clip(10))).toBe(3);
  });

  it("frees a clip whose copy was never read back (the runtime cut the read short) after 10 s", () => {
    const { hot, advance } = hotClips();
    for (let i = 0; i < 2; i++) hot.countCacheHit("a", 10);
    expect(hot.countCacheHit("a", 10)).toBe(true);
    advance(9_000);
    expect(hot.countCacheHit("a", 10)).toBe(false);
    advance(1_001);
    expect(earn(hot, "a", clip(10))).toBe(3);
  });

  it("keeps within its byte budget, the least recently served going first", () => {
    const { hot } = hotClips(4000);
    for (const key of ["a", "b", "c", "d"]) earn(hot, key, clip(1000));
    expect(hot.heldBytes).toBe(4000);
    hot.get("a"); // served: now the most recent
    earn(hot, "e", clip(1000));
    expect(hot.heldBytes).toBe(4000);
    expect(["a", "b", "c", "d", "e"].filter((k) => hot.get(k))).toEqual(["a", "c", "d", "e"]);
  });

  it("never gives one clip more than a quarter of the budget", () => {
    const { hot } = hotClips(4000);
    expect(hot.maxClipBytes).toBe(1000);
    for (let i = 0; i < 5; i++) expect(hot.countCacheHit("big", 1001)).toBe(false);
    // Even if a clip's size changed between the hit and the read, the copy is refused, not stored.
    earn(hot, "grew", clip(10));
    hot.admit("grew2", clip(1001));
    expect(hot.get("grew2")).toBeUndefined();
    expect(hot.heldBytes).toBe(10);
  });
});
