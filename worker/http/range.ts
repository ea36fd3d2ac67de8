/**
 * Single-range `Range: bytes=…` parsing (RFC 9110 §14.1.2). Hand-written because it is a dozen lines
 * and the Workers runtime offers no parser; multi-range requests are answered with the whole clip,
 * which RFC 9110 allows and every player accepts.
 */
export type RangeResult =
  { kind: "full" } | { kind: "partial"; start: number; end: number } | { kind: "unsatisfiable" };

export function parseRange(header: string | null, size: number): RangeResult {
  if (!header) return { kind: "full" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return { kind: "full" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return { kind: "full" };
  return { kind: "partial", start, end };
}

/**
 * The Range header to hand to the edge cache, which answers a single range against its stored 200 itself:
 * only the forms parseRange may answer with a 206 (not "-0", not "5-2", not several ranges), else undefined.
 */
export function cacheRange(header: string | null): string | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && (last === "" || Number(last) === 0)) return undefined;
  if (first !== "" && last !== "" && Number(last) < Number(first)) return undefined;
  return `bytes=${first}-${last}`;
}
