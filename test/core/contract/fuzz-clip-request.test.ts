import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLIP_KEY_PREFIX,
  CLIP_PATH_PREFIX,
  ClipError,
  DEFAULT_LIMITS,
  ERROR_STATUS,
  MAX_START_MS,
  canonicalPath,
  canonicalQuery,
  clipObjectKey,
  episodeClipPrefix,
  episodeIdFromPath,
  errorBody,
  isClipErrorBody,
  parseClipRequest,
  parseClipUrl,
  parseEpisodeId,
  validateLimits,
  type ClipLimits,
  type ClipRequest,
  waveformKey,
  WAVEFORM_PREFIX,
} from "../../../core/index.js";
import {
  CORE_SIZES,
  FUZZ_SEED,
  adversarialEpisodeId,
  adversarialNumber,
  clipPath,
  clipPathAndQuery,
  clipQuery,
} from "../helpers/fuzz-inputs.js";

// Issue #6: the parser meets arbitrary and adversarial input. Whatever arrives, it either returns the one
// canonical request, agreeing with an independent model written from DESIGN.md with BigInt arithmetic, or
// throws a typed ClipError with a 4xx status; it never throws anything else, and the keys it leads to never
// leave their prefix.

const BASE = "https://edge.example";
const EPISODE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Error messages quote input cut to 40 characters; a long input must not make a long response. */
const MAX_MESSAGE_CHARS = 300;

const RUNS = { url: 10_000, direct: 6000, rawPath: 2000, keys: 2000 } as const;
const seen = { runs: 0, accepted: 0, rejected: 0 };

afterAll(() => {
  console.log(
    `fuzz-clip-request: ${seen.runs} inputs (seed ${FUZZ_SEED}), ${seen.accepted} accepted, ${seen.rejected} rejected`,
  );
});

it("sends at least 10,000 inputs in all (each property checks that it ran its own count)", () => {
  expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
});

/** What DESIGN.md says the answer is: the request, or the set of parameters a 400 may name. */
type Expected = { ok: true; req: ClipRequest } | { ok: false; params: Set<string> };

function model(rawId: string, params: URLSearchParams, limits: ClipLimits): Expected {
  const faults = new Set<string>();
  if (!EPISODE_ID.test(rawId)) faults.add("episode_id");
  const integer = (name: string, max: bigint): bigint | "absent" | "bad" => {
    const values = params.getAll(name);
    if (values.length === 0) return "absent";
    const [raw = ""] = values;
    if (values.length > 1 || !/^[0-9]+$/.test(raw) || BigInt(raw) > max) {
      faults.add(name);
      return "bad";
    }
    return BigInt(raw);
  };
  const start = integer("start_time_ms", BigInt(MAX_START_MS));
  if (start === "absent") faults.add("start_time_ms");
  const duration = integer("duration_ms", MAX_SAFE);
  const end = integer("end_time_ms", MAX_SAFE);
  if (duration !== "absent" && end !== "absent") faults.add("end_time_ms");
  if (duration === "absent" && end === "absent") faults.add("duration_ms");
  const min = BigInt(limits.minClipMs);
  const max = BigInt(limits.maxClipMs);
  let length: bigint | undefined;
  if (duration === "absent" && typeof end === "bigint" && typeof start === "bigint") {
    length = end - start;
    if (length < min || length > max) faults.add("end_time_ms");
  } else if (end === "absent" && typeof duration === "bigint") {
    length = duration;
    if (length < min || length > max) faults.add("duration_ms");
  }
  const flags = params.getAll("precise");
  const [flag = "0"] = flags;
  if (flags.length > 1 || !["1", "true", "0", "false"].includes(flag)) faults.add("precise");
  if (faults.size > 0 || typeof start !== "bigint" || length === undefined) return { ok: false, params: faults };
  return {
    ok: true,
    req: {
      episodeId: rawId,
      startMs: Number(start),
      endMs: Number(start + length),
      durationMs: Number(length),
      precise: flag === "1" || flag === "true",
    },
  };
}

/** The URL-level model: the path decides the episode id (or a 404) before the query is read. */
function urlModel(url: URL, limits: ClipLimits): Expected | { notFound: true } {
  if (!url.pathname.startsWith(CLIP_PATH_PREFIX)) return { notFound: true };
  let id: string;
  try {
    id = decodeURIComponent(url.pathname.slice(CLIP_PATH_PREFIX.length));
  } catch {
    return { ok: false, params: new Set(["episode_id"]) };
  }
  if (id === "" || id.includes("/")) return { ok: false, params: new Set(["episode_id"]) };
  return model(id, url.searchParams, limits);
}

/** A thrown value must be a ClipError a client may see: 4xx, its code's own status, a short JSON body. */
function checkTypedError(err: unknown): ClipError {
  if (!(err instanceof ClipError)) throw new Error(`not a ClipError: ${String(err)}`, { cause: err });
  expect(err.status).toBeGreaterThanOrEqual(400);
  expect(err.status).toBeLessThan(500);
  expect(ERROR_STATUS[err.code]).toBe(err.status);
  expect(err.expose).toBe(true);
  expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  const body: unknown = JSON.parse(JSON.stringify(errorBody(err)));
  expect(isClipErrorBody(body)).toBe(true);
  return err;
}

/** Keys from an accepted id: no empty, "." or ".." segment, already normal, under their prefix. */
function checkKeyUnder(key: string, prefix: string, segments: number): void {
  expect(key.startsWith(prefix)).toBe(true);
  const parts = key.split("/");
  expect(parts).toHaveLength(segments);
  for (const part of parts) expect(part === "" || part === "." || part === "..").toBe(false);
  expect(path.posix.normalize(key)).toBe(key);
  expect(path.posix.resolve("/bucket", key).startsWith(`/bucket/${prefix}`)).toBe(true);
  expect(key).toMatch(/^[A-Za-z0-9_./-]+$/);
  expect(key).not.toContain("..");
}

/** Everything an accepted request must satisfy, including idempotent normalization and its keys. */
function checkAccepted(req: ClipRequest, limits: ClipLimits): void {
  expect(req.episodeId).toMatch(EPISODE_ID);
  expect(Number.isSafeInteger(req.startMs) && req.startMs >= 0 && req.startMs <= MAX_START_MS).toBe(true);
  expect(req.durationMs >= limits.minClipMs && req.durationMs <= limits.maxClipMs).toBe(true);
  expect(req.endMs).toBe(req.startMs + req.durationMs);
  // Idempotent: the canonical form parses back to the same request, by URL and by query alone.
  const again = parseClipUrl(new URL(canonicalPath(req), BASE), limits);
  expect(again).toEqual(req);
  expect(canonicalPath(again)).toBe(canonicalPath(req));
  expect(parseClipRequest(req.episodeId, new URLSearchParams(canonicalQuery(req)), limits)).toEqual(req);
  const key = clipObjectKey(req);
  checkKeyUnder(key, `${CLIP_KEY_PREFIX}${req.episodeId}/`, 3);
  expect(key.startsWith(episodeClipPrefix(req.episodeId))).toBe(true);
  checkKeyUnder(waveformKey(req.episodeId), WAVEFORM_PREFIX, 2);
}

function checkAgainstModel(run: () => ClipRequest, expected: Expected | { notFound: true }, limits: ClipLimits) {
  seen.runs++;
  let req: ClipRequest;
  try {
    req = run();
  } catch (thrown) {
    const err = checkTypedError(thrown);
    seen.rejected++;
    if ("notFound" in expected) {
      expect([err.code, err.status]).toEqual(["not_found", 404]);
      return;
    }
    expect(expected.ok).toBe(false);
    expect([err.code, err.status]).toEqual(["invalid_parameter", 400]);
    if (!expected.ok) expect([...expected.params]).toContain(err.param);
    expect(err.message).toContain(err.param);
    return;
  }
  seen.accepted++;
  expect(expected).toEqual({ ok: true, req });
  checkAccepted(req, limits);
}

const limitsArb: fc.Arbitrary<ClipLimits> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(DEFAULT_LIMITS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 1_000_000 }))
      .map(([minClipMs, extra]) => validateLimits({ minClipMs, maxClipMs: minClipMs + extra })),
  },
);

// Long property runs get minutes, not the default seconds: a busy machine stretches them, and they assert outcomes.
describe("fuzz: the clip request parser (core)", { timeout: 300_000 }, () => {
  it(`answers ${RUNS.url} adversarial URLs with the model's request or a typed 4xx`, () => {
    const before = seen.runs;
    const arb = fc.tuple(clipPathAndQuery(CORE_SIZES), limitsArb);
    fc.assert(
      fc.property(arb, ([pathAndQuery, limits]) => {
        // Every client string becomes a URL on its way in (the edge's Request, the origin's URL).
        const url = new URL(BASE + pathAndQuery);
        checkAgainstModel(() => parseClipUrl(url, limits), urlModel(url, limits), limits);
      }),
      { numRuns: RUNS.url, seed: FUZZ_SEED },
    );
    expect(seen.runs - before).toBe(RUNS.url);
  });

  it(`answers ${RUNS.direct} adversarial episode ids and parameter lists (no URL in between) the same way`, () => {
    const before = seen.runs;
    // Straight into parseClipRequest: ids and values the URL parser would have encoded or normalized away
    // (NUL, '/', '..', lone surrogates, 100k characters) reach the validator itself.
    const value = fc.oneof(adversarialNumber(CORE_SIZES), fc.string({ unit: "binary", maxLength: 8 }));
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("start_time_ms", "duration_ms", "end_time_ms", "precise") },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
    );
    const entries = fc.oneof(
      fc.array(fc.tuple(name, value), { maxLength: 7 }),
      clipQuery(CORE_SIZES).map((q) => [...new URLSearchParams(q)]),
    );
    fc.assert(
      fc.property(adversarialEpisodeId(CORE_SIZES), entries, limitsArb, (rawId, pairs, limits) => {
        const params = new URLSearchParams();
        for (const [k, v] of pairs) params.append(k, v);
        checkAgainstModel(() => parseClipRequest(rawId, params, limits), model(rawId, params, limits), limits);
      }),
      { numRuns: RUNS.direct, seed: FUZZ_SEED },
    );
    expect(seen.runs - before).toBe(RUNS.direct);
  });

  it(`extracts episode ids from ${RUNS.rawPath} raw, unnormalized paths or refuses them with a typed 4xx`, () => {
    const before = seen.runs;
    // Paths as an adapter could hand them over without URL normalization: "..", "%2e%2e", "a/../b" intact.
    fc.assert(
      fc.property(clipPath(CORE_SIZES), (rawPath) => {
        seen.runs++;
        let id: string;
        try {
          id = episodeIdFromPath(rawPath);
        } catch (thrown) {
          checkTypedError(thrown);
          seen.rejected++;
          return;
        }
        expect(id).not.toBe("");
        expect(id).not.toContain("/");
        try {
          expect(parseEpisodeId(id)).toBe(id);
        } catch (thrown) {
          const err = checkTypedError(thrown);
          expect([err.code, err.param]).toEqual(["invalid_parameter", "episode_id"]);
          seen.rejected++;
          return;
        }
        seen.accepted++;
        // An id that passed both can only be the safe alphabet: never "..", "." or anything with a separator.
        expect(id).toMatch(EPISODE_ID);
        checkKeyUnder(`${episodeClipPrefix(id)}0-1000.mp3`, `${CLIP_KEY_PREFIX}${id}/`, 3);
        checkKeyUnder(waveformKey(id), WAVEFORM_PREFIX, 2);
      }),
      { numRuns: RUNS.rawPath, seed: FUZZ_SEED },
    );
    expect(seen.runs - before).toBe(RUNS.rawPath);
  });

  it(`builds keys only for safe ids: ${RUNS.keys} adversarial ids given straight to the key builders`, () => {
    const before = seen.runs;
    fc.assert(
      fc.property(adversarialEpisodeId(CORE_SIZES), (rawId) => {
        seen.runs++;
        const safe = EPISODE_ID.test(rawId);
        for (const [build, prefix, segments] of [
          // A purge prefix ends in "/"; a clip name completes it into a key.
          [(id: string) => `${episodeClipPrefix(id)}0-1000.mp3`, `${CLIP_KEY_PREFIX}${rawId}/`, 3],
          [waveformKey, WAVEFORM_PREFIX, 2],
        ] as const) {
          let key: string;
          try {
            key = build(rawId);
          } catch (thrown) {
            const err = checkTypedError(thrown);
            expect([err.code, err.param]).toEqual(["invalid_parameter", "episode_id"]);
            expect(safe).toBe(false);
            continue;
          }
          expect(safe).toBe(true);
          checkKeyUnder(key, prefix, segments);
        }
        if (safe) seen.accepted++;
        else seen.rejected++;
      }),
      { numRuns: RUNS.keys, seed: FUZZ_SEED },
    );
    expect(seen.runs - before).toBe(RUNS.keys);
  });
});
