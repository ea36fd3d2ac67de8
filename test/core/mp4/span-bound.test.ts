import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { layoutFromChunks, packetOffset, packetSize, spanBound } from "../../../core/mp4/packet-layout.js";

// #15: a cold cut reads the source beside the window of sizes, from the checkpoints' bound on where its packets
// are; the bound must hold the exact span whatever the sizes, or not be given.
const layout = (sizes: number[], chunkStarts: number[], gaps: number[]) => {
  const firsts = [0, ...chunkStarts.filter((p) => p > 0 && p < sizes.length)].sort((a, b) => a - b);
  const unique = [...new Set(firsts)];
  const offsets: number[] = [];
  let at = 100;
  for (const [c, first] of unique.entries()) {
    const prevEnd = c === 0 ? 0 : sizes.slice(unique[c - 1], first).reduce((a, b) => a + b, 0);
    at += prevEnd + (c === 0 ? 0 : (gaps[c] ?? 0));
    offsets.push(at);
  }
  return layoutFromChunks(new Uint32Array(sizes), new Uint32Array(unique), new Float64Array(offsets));
};

describe("spanBound: where packets [first, last] are, from the checkpoints alone", () => {
  it("holds the exact span of every packet range, or is undefined (a jump inside, or no checkpoint after)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 199 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 5 }),
        fc.nat(),
        fc.nat(),
        (sizes, chunkStarts, gaps, a, b) => {
          const l = layout(sizes, chunkStarts, gaps);
          const first = a % sizes.length;
          const last = first + (b % (sizes.length - first));
          const bound = spanBound(l, first, last);
          if (!bound) return;
          const start = packetOffset(l, first);
          const end = packetOffset(l, last) + packetSize(l, last);
          expect(bound.start).toBeLessThanOrEqual(start);
          expect(bound.end).toBeGreaterThanOrEqual(end);
          // At most the stride before and after: a few KB, not the source.
          const most = 2 * l.stride * 800;
          expect(bound.end - bound.start - (end - start)).toBeLessThanOrEqual(most);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("is given for a clip inside one contiguous track, and not across a gap or at the end", () => {
    const sizes = Array.from({ length: 160 }, (_, i) => 300 + (i % 7));
    const contiguous = layout(sizes, [], []);
    expect(spanBound(contiguous, 20, 60)).toEqual({
      start: packetOffset(contiguous, 16),
      end: packetOffset(contiguous, 64),
    });
    expect(spanBound(contiguous, 150, 159)).toBeUndefined();
    const gapped = layout(sizes, [40], [0, 1000]);
    expect(gapped.jumps).toHaveLength(1);
    expect(spanBound(gapped, 20, 60)).toBeUndefined();
    expect(spanBound(gapped, 50, 60)).toBeDefined();
  });
});
