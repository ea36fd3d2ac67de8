import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ClipError,
  DEFAULT_LIMITS,
  MAX_START_MS,
  canonicalPath,
  clipObjectKey,
  episodeClipPrefix,
  errorBody,
  isClipErrorBody,
  parseClipRequest,
  parseClipUrl,
  validateLimits,
  type ClipLimits,
  type ClipRequest,
} from "../../../core/index.js";

const BASE = "https://edge.example";
const parseUrl = (pathAndQuery: string) => parseClipUrl(new URL(pathAndQuery, BASE));

const episodeId = fc
  .tuple(
    fc.constantFrom(..."abcXYZ019"),
    fc.string({ unit: fc.constantFrom(..."abcdefXYZ0123456789_-"), maxLength: 127 }),
  )
  .map(([first, rest]) => first + rest);

const validRequest: fc.Arbitrary<ClipRequest> = fc
  .record({
    episodeId,
    startMs: fc.integer({ min: 0, max: MAX_START_MS }),
    durationMs: fc.integer({ min: DEFAULT_LIMITS.minClipMs, max: DEFAULT_LIMITS.maxClipMs }),
    precise: fc.boolean(),
  })
  .map((r) => ({ ...r, endMs: r.startMs + r.durationMs }));

/** A decimal spelling of n with leading zeros and some digits percent-encoded. */
const spelling = (n: number) =>
  fc
    .tuple(fc.nat({ max: 4 }), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }))
    .map(([zeros, encode]) => [...("0".repeat(zeros) + String(n))].map((d, i) => (encode[i] ? `%3${d}` : d)).join(""));

const unknownParam = fc
  .tuple(fc.constantFrom("utm_source", "t", "response", "sig", "start", "x"), fc.string({ maxLength: 8 }))
  .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);

/** Every invariant a parsed request must satisfy, whatever the input was. */
function checkInvariants(req: ClipRequest): void {
  expect(req.episodeId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);
  expect(Number.isSafeInteger(req.startMs) && req.startMs >= 0 && req.startMs <= MAX_START_MS).toBe(true);
  expect(req.durationMs).toBeGreaterThanOrEqual(DEFAULT_LIMITS.minClipMs);
  expect(req.durationMs).toBeLessThanOrEqual(DEFAULT_LIMITS.maxClipMs);
  expect(req.endMs).toBe(req.startMs + req.durationMs);
}

describe("normalization properties", { timeout: 300_000 }, () => {
  it("is idempotent: the canonical path parses back to the same request", () => {
    fc.assert(
      fc.property(validRequest, (req) => {
        const again = parseUrl(canonicalPath(req));
        expect(again).toEqual(req);
        expect(canonicalPath(again)).toBe(canonicalPath(req));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives every equivalent spelling one canonical form", () => {
    const spelled = validRequest.chain((req) =>
      fc.record({
        req: fc.constant(req),
        start: spelling(req.startMs),
        length: fc.oneof(
          spelling(req.durationMs).map((s) => `duration_ms=${s}`),
          spelling(req.endMs).map((s) => `end_time_ms=${s}`),
        ),
        // Off can be said three ways (absent, 0, false) and on two; all must collapse.
        flag: req.precise
          ? fc.constantFrom(["precise=1"], ["precise=true"])
          : fc.constantFrom([], ["precise=0"], ["precise=false"]),
        extras: fc.array(unknownParam, { maxLength: 3 }),
        order: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(spelled, ({ req, start, length, flag, extras, order }) => {
        const params = [`start_time_ms=${start}`, length, ...flag, ...extras];
        // Rotate the parameters so every position is tried for the real ones.
        const k = order % params.length;
        const query = [...params.slice(k), ...params.slice(0, k)].join("&");
        const parsed = parseUrl(`/api/v1/audio_clips/${req.episodeId}?${query}`);
        expect(canonicalPath(parsed)).toBe(canonicalPath(req));
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws anything but a typed 400 (or not_found), whatever the input", () => {
    const name = fc.oneof(fc.constantFrom("start_time_ms", "duration_ms", "end_time_ms"), fc.string({ maxLength: 6 }));
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 8 }),
      fc.integer({ min: -1e6, max: 1e12 }).map(String),
      fc.double().map(String),
      fc.constantFrom("", "0", "1000", "30000", "1e3", "0x10", "-0", "00", "%", "%zz", "+1"),
    );
    const query = fc
      .array(fc.tuple(name, value), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
    const rawQuery = fc.string({ maxLength: 40 });
    const path = fc.oneof(
      episodeId.map((id) => `/api/v1/audio_clips/${id}`),
      fc.string({ maxLength: 30 }).map((s) => `/api/v1/audio_clips/${s}`),
      fc.string({ unit: "grapheme", maxLength: 10 }).map((s) => `/api/v1/audio_clips/${encodeURIComponent(s)}`),
      fc.string({ maxLength: 30 }).map((s) => `/${s}`),
    );
    fc.assert(
      fc.property(path, fc.oneof(query, rawQuery), (p, qs) => {
        let url: URL;
        try {
          url = new URL(`${p}?${qs}`, BASE);
        } catch {
          return; // not a URL at all: never reaches the parser
        }
        try {
          checkInvariants(parseClipUrl(url));
        } catch (err) {
          expect(err).toBeInstanceOf(ClipError);
          const clipError = err as ClipError;
          expect(clipError.code === "invalid_parameter" || clipError.code === "not_found").toBe(true);
          expect(clipError.status === 400 || clipError.status === 404).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps every object key inside its episode's prefix", () => {
    fc.assert(
      fc.property(validRequest, (req) => {
        const key = clipObjectKey(req);
        expect(key.startsWith(`audio_clips/${req.episodeId}/`)).toBe(true);
        expect(key).not.toContain("..");
        expect(key).not.toContain("//");
        expect(key).toMatch(/^audio_clips\/[A-Za-z0-9_-]+\/\d+-\d+(\.precise)?\.mp3$/);
      }),
      { numRuns: 1000 },
    );
  });
});

const REAL_NAMES = ["start_time_ms", "duration_ms", "end_time_ms", "precise", "format"];

const limitsArb: fc.Arbitrary<ClipLimits> = fc
  .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([minClipMs, extra]) => validateLimits({ minClipMs, maxClipMs: minClipMs + extra }));

const requestWithin = (limits: ClipLimits): fc.Arbitrary<ClipRequest> =>
  fc
    .record({
      episodeId,
      startMs: fc.integer({ min: 0, max: MAX_START_MS }),
      durationMs: fc.integer({ min: limits.minClipMs, max: limits.maxClipMs }),
      precise: fc.boolean(),
    })
    .map((r) => ({ ...r, endMs: r.startMs + r.durationMs }));

/** Percent-encodes every character of s, so even the parameter names arrive spelled differently. */
const encodeAll = (s: string) => [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16)}`).join("");

describe("normalization properties, wider inputs", { timeout: 300_000 }, () => {
  it("round-trips through the canonical path under any valid limits", () => {
    const arb = limitsArb.chain((limits) => fc.tuple(fc.constant(limits), requestWithin(limits)));
    fc.assert(
      fc.property(arb, ([limits, req]) => {
        expect(parseClipUrl(new URL(canonicalPath(req), BASE), limits)).toEqual(req);
      }),
      { numRuns: 1000 },
    );
  });

  it("ignores arbitrary unknown parameters and encoded parameter names", () => {
    const unknownName = fc.string({ unit: "grapheme", maxLength: 10 }).filter((k) => !REAL_NAMES.includes(k));
    const extras = fc.array(fc.tuple(unknownName, fc.string({ unit: "grapheme", maxLength: 10 })), { maxLength: 5 });
    fc.assert(
      fc.property(validRequest, extras, fc.boolean(), fc.boolean(), (req, pairs, endForm, encodeNames) => {
        const name = (n: string) => (encodeNames ? encodeAll(n) : n);
        const real = [
          `${name("start_time_ms")}=${req.startMs}`,
          endForm ? `${name("end_time_ms")}=${req.endMs}` : `${name("duration_ms")}=${req.durationMs}`,
          ...(req.precise ? [`${name("precise")}=1`] : []),
        ];
        const noise = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
        const query = [
          ...noise.slice(0, 2),
          real[1],
          ...noise.slice(2, 4),
          real[0],
          ...noise.slice(4),
          ...real.slice(2),
        ].join("&");
        const parsed = parseUrl(`/api/v1/audio_clips/${req.episodeId}?${query}`);
        expect(parsed).toEqual(req);
        expect(clipObjectKey(parsed)).toBe(clipObjectKey(req));
      }),
      { numRuns: 1000 },
    );
  });

  it("answers any episode id and any parameters with a valid request or a typed 400 that names the parameter", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.string({ unit: fc.constantFrom(..."0123456789+-.eExX _%"), maxLength: 20 }),
      fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
      fc.integer({ min: 0, max: 400_000 }).map(String),
    );
    const id = fc.oneof(episodeId, fc.string({ unit: "binary", maxLength: 140 }), fc.string({ maxLength: 130 }));
    const key = fc.oneof(fc.constantFrom(...REAL_NAMES), fc.string({ unit: "binary", maxLength: 8 }));
    const pairs = fc.array(fc.tuple(key, text), { maxLength: 6 });
    fc.assert(
      fc.property(id, pairs, limitsArb, (rawId, entries, limits) => {
        const params = new URLSearchParams();
        for (const [k, v] of entries) params.append(k, v);
        let req: ClipRequest;
        try {
          req = parseClipRequest(rawId, params, limits);
        } catch (err) {
          if (!(err instanceof ClipError)) throw err;
          expect([err.status, err.code]).toEqual([400, "invalid_parameter"]);
          expect(["episode_id", ...REAL_NAMES]).toContain(err.param);
          expect(err.message).toContain(err.param);
          expect(isClipErrorBody(JSON.parse(JSON.stringify(errorBody(err))))).toBe(true);
          return;
        }
        expect(req.episodeId).toBe(rawId);
        expect(req.episodeId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);
        expect(Number.isSafeInteger(req.startMs) && req.startMs >= 0 && req.startMs <= MAX_START_MS).toBe(true);
        expect(req.durationMs >= limits.minClipMs && req.durationMs <= limits.maxClipMs).toBe(true);
        expect(req.endMs).toBe(req.startMs + req.durationMs);
        expect(params.getAll("start_time_ms").map(Number)).toEqual([req.startMs]);
      }),
      { numRuns: 3000 },
    );
  });

  it("makes keys that sit under the episode's purge prefix and name the range exactly", () => {
    fc.assert(
      fc.property(validRequest, (req) => {
        const key = clipObjectKey(req);
        expect(key.startsWith(episodeClipPrefix(req.episodeId))).toBe(true);
        expect(key.slice(episodeClipPrefix(req.episodeId).length)).toBe(
          `${req.startMs}-${req.endMs}${req.precise ? ".precise" : ""}.mp3`,
        );
        expect(key.split("/")).toHaveLength(3);
      }),
      { numRuns: 1000 },
    );
  });
});
