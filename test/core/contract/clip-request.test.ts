import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  MAX_START_MS,
  canonicalPath,
  canonicalQuery,
  clipObjectKey,
  episodeIdFromPath,
  parseClipRequest,
  parseClipUrl,
  validateLimits,
} from "../../../core/index.js";
import { rejection } from "../helpers/rejection.js";

const BASE = "https://edge.example";
const parse = (pathAndQuery: string, limits = DEFAULT_LIMITS) => parseClipUrl(new URL(pathAndQuery, BASE), limits);
const q = (query: string, episodeId = "ep1") => parseClipRequest(episodeId, new URLSearchParams(query));

describe("episode_id", () => {
  it.each(["a", "7", "A-b_c", "x".repeat(128), "0f8fad5b-d9cb-469f-a165-70867728950e"])("accepts %s", (id) => {
    expect(q("start_time_ms=0&duration_ms=1000", id).episodeId).toBe(id);
  });

  it.each(["", "x".repeat(129), "-x", "_x", "ép", "a/b", "..", "a.b", "a b", "a%2Fb"])("rejects %j", (id) => {
    const err = rejection(() => q("start_time_ms=0&duration_ms=1000", id));
    expect([err.status, err.code, err.param]).toEqual([400, "invalid_parameter", "episode_id"]);
  });

  it("decodes percent-encoding in the path but never lets it add a segment", () => {
    expect(episodeIdFromPath("/api/v1/audio_clips/ab%2Dc")).toBe("ab-c");
    expect(rejection(() => episodeIdFromPath("/api/v1/audio_clips/a%2Fb")).param).toBe("episode_id");
    expect(rejection(() => episodeIdFromPath("/api/v1/audio_clips/a/b")).param).toBe("episode_id");
    expect(rejection(() => episodeIdFromPath("/api/v1/audio_clips/%E0%A4%A")).param).toBe("episode_id");
    expect(rejection(() => episodeIdFromPath("/api/v1/audio_clips/")).status).toBe(400);
  });

  it("answers not_found for paths that are not clip paths", () => {
    for (const path of ["/", "/api/v1/audio_clip/x", "/api/v2/audio_clips/x"]) {
      expect(rejection(() => episodeIdFromPath(path)).code).toBe("not_found");
    }
  });
});

describe("start_time_ms and duration_ms", () => {
  it("parses a plain request", () => {
    expect(q("start_time_ms=754000&duration_ms=30000")).toEqual({
      episodeId: "ep1",
      startMs: 754000,
      endMs: 784000,
      durationMs: 30000,
      precise: false,
    });
  });

  it("accepts start 0, leading zeros, any order, and ignores unknown parameters", () => {
    expect(q("duration_ms=0030000&x=1&start_time_ms=000").startMs).toBe(0);
    expect(q("duration_ms=0030000&x=1&start_time_ms=000").durationMs).toBe(30000);
    expect(q("start_time_ms=5&duration_ms=1000&start=9&response=json&utm_source=feed")).toMatchObject({
      startMs: 5,
      durationMs: 1000,
    });
  });

  it.each([
    ["-1", "negative"],
    ["1.5", "fractional"],
    ["1e3", "exponent"],
    ["0x10", "hex"],
    ["+5", "plus sign"],
    [" 5", "leading space"],
    ["5 ", "trailing space"],
    ["", "empty"],
    ["５", "full-width digit"],
    [String(MAX_START_MS + 1), "past the maximum"],
    ["9".repeat(40), "absurdly large"],
  ])("start_time_ms %j (%s) is a 400 naming the parameter", (value) => {
    const err = rejection(() => q(`start_time_ms=${encodeURIComponent(value)}&duration_ms=1000`));
    expect([err.status, err.code, err.param]).toEqual([400, "invalid_parameter", "start_time_ms"]);
    expect(err.message).toContain("start_time_ms");
  });

  it("accepts start_time_ms at the maximum", () => {
    expect(q(`start_time_ms=${MAX_START_MS}&duration_ms=1000`).startMs).toBe(MAX_START_MS);
  });

  it("rejects a missing or repeated start_time_ms", () => {
    expect(rejection(() => q("duration_ms=1000")).param).toBe("start_time_ms");
    const repeated = rejection(() => q("start_time_ms=1&start_time_ms=1&duration_ms=1000"));
    expect(repeated.param).toBe("start_time_ms");
    expect(repeated.message).toMatch(/once/);
  });

  it.each(["999", "300001", "0", "-1000", "1000.0", "", "1e4", "9".repeat(40)])(
    "duration_ms %j outside [1000, 300000] or malformed is a 400",
    (value) => {
      const err = rejection(() => q(`start_time_ms=0&duration_ms=${value}`));
      expect([err.status, err.param]).toEqual([400, "duration_ms"]);
    },
  );

  it("accepts the duration bounds and honours custom limits", () => {
    expect(q("start_time_ms=0&duration_ms=1000").durationMs).toBe(1000);
    expect(q("start_time_ms=0&duration_ms=300000").durationMs).toBe(300000);
    const limits = { minClipMs: 500, maxClipMs: 60000 };
    expect(parseClipRequest("e", new URLSearchParams("start_time_ms=0&duration_ms=500"), limits).durationMs).toBe(500);
    const err = rejection(() =>
      parseClipRequest("e", new URLSearchParams("start_time_ms=0&duration_ms=60001"), limits),
    );
    expect(err.message).toContain("60000");
  });
});

describe("end_time_ms", () => {
  it("is another spelling of the duration", () => {
    expect(q("start_time_ms=754000&end_time_ms=784000")).toEqual(q("start_time_ms=754000&duration_ms=30000"));
  });

  it.each([
    ["start_time_ms=5000&end_time_ms=5000", /greater than start_time_ms/],
    ["start_time_ms=5000&end_time_ms=4000", /greater than start_time_ms/],
    ["start_time_ms=5000&end_time_ms=5999", /between 1000 and 300000/],
    ["start_time_ms=0&end_time_ms=300001", /between 1000 and 300000/],
    ["start_time_ms=0&end_time_ms=2000&duration_ms=2000", /not both/],
    ["start_time_ms=0&end_time_ms=2000&end_time_ms=2000", /once/],
  ])("%s is a 400", (query, message) => {
    const err = rejection(() => q(query));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it("requires one of duration_ms and end_time_ms", () => {
    expect(rejection(() => q("start_time_ms=0")).param).toBe("duration_ms");
  });
});

describe("canonical form", () => {
  it("has one fixed spelling for query, path and object key", () => {
    const req = parse("/api/v1/audio_clips/EP_1?end_time_ms=0784000&foo=bar&start_time_ms=754000");
    expect(canonicalQuery(req)).toBe("start_time_ms=754000&duration_ms=30000");
    expect(canonicalPath(req)).toBe("/api/v1/audio_clips/EP_1?start_time_ms=754000&duration_ms=30000");
    expect(clipObjectKey(req)).toBe("audio_clips/EP_1/754000-784000.mp3");
  });
});

describe("validateLimits", () => {
  it("accepts sane limits and rejects impossible ones", () => {
    expect(validateLimits({ minClipMs: 1, maxClipMs: 1 })).toEqual({ minClipMs: 1, maxClipMs: 1 });
    expect(() => validateLimits({ minClipMs: 0, maxClipMs: 10 })).toThrow(/MIN_CLIP_MS/);
    expect(() => validateLimits({ minClipMs: 1.5, maxClipMs: 10 })).toThrow(/MIN_CLIP_MS/);
    expect(() => validateLimits({ minClipMs: 10, maxClipMs: 9 })).toThrow(/MAX_CLIP_MS/);
  });
});

describe("which parameter is at fault, and why", () => {
  it.each([
    ["start_time_ms=0&duration_ms=1000&duration_ms=1000", "duration_ms", /once/],
    ["start_time_ms=0&duration_ms=", "duration_ms", /empty/],
    ["start_time_ms=0&duration_ms=1e3", "duration_ms", /digits 0-9/],
    ["start_time_ms=&duration_ms=1000", "start_time_ms", /empty/],
    ["start_time_ms&duration_ms=1000", "start_time_ms", /empty/],
    ["start_time_ms=0x10&duration_ms=1000", "start_time_ms", /digits 0-9/],
    [`start_time_ms=${MAX_START_MS + 1}&duration_ms=1000`, "start_time_ms", new RegExp(`at most ${MAX_START_MS}`)],
    ["start_time_ms=0&end_time_ms=-2000", "end_time_ms", /digits 0-9/],
    ["start_time_ms=0&end_time_ms=2000.0", "end_time_ms", /digits 0-9/],
    ["start_time_ms=0&end_time_ms=2e3", "end_time_ms", /digits 0-9/],
    ["start_time_ms=0&end_time_ms=", "end_time_ms", /empty/],
    ["start_time_ms=5000&end_time_ms=5000", "end_time_ms", /greater than start_time_ms/],
    ["start_time_ms=5000&end_time_ms=1", "end_time_ms", /greater than start_time_ms/],
    ["start_time_ms=0&end_time_ms=999", "end_time_ms", /between 1000 and 300000/],
    ["start_time_ms=0&duration_ms=1000&end_time_ms=1000", "end_time_ms", /not both/],
    ["start_time_ms=0", "duration_ms", /required/],
    ["duration_ms=1000", "start_time_ms", /required/],
    ["", "start_time_ms", /required/],
  ])("%s → 400 on %s", (query, param, why) => {
    const err = rejection(() => q(query));
    expect([err.status, err.code, err.param]).toEqual([400, "invalid_parameter", param]);
    expect(err.message).toContain(param);
    expect(err.message).toMatch(why);
  });

  it("gives the clip-length rule, not a bogus maximum, for long numbers below 2^53", () => {
    // 10^15 is below Number.MAX_SAFE_INTEGER: saying "must be at most 9007199254740991" would be false.
    const duration = rejection(() => q("start_time_ms=0&duration_ms=1000000000000000"));
    expect(duration.message).toMatch(/between 1000 and 300000/);
    const end = rejection(() => q("start_time_ms=0&end_time_ms=1000000000000000"));
    expect(end.message).toMatch(/between 1000 and 300000/);
    // Past 2^53 the value cannot be held exactly; the message must still be true.
    const huge = rejection(() => q("start_time_ms=0&duration_ms=9007199254740993"));
    expect(huge.param).toBe("duration_ms");
    expect(huge.message).toMatch(/at most 9007199254740991/);
  });

  it("quotes long input cut short, so a hostile value cannot grow the response", () => {
    const err = rejection(() => q(`start_time_ms=${"x".repeat(10_000)}&duration_ms=1000`));
    expect(err.message.length).toBeLessThan(200);
  });

  it("checks the duration against the limits it is given, at both edges", () => {
    const limits = { minClipMs: 500, maxClipMs: 60000 };
    const at = (query: string) => parseClipRequest("e", new URLSearchParams(query), limits);
    expect(at("start_time_ms=0&duration_ms=60000").durationMs).toBe(60000);
    expect(at("start_time_ms=10&end_time_ms=510").durationMs).toBe(500);
    expect(at("start_time_ms=10&end_time_ms=60010").durationMs).toBe(60000);
    expect(rejection(() => at("start_time_ms=0&duration_ms=499")).message).toMatch(/between 500 and 60000/);
    expect(rejection(() => at("start_time_ms=10&end_time_ms=509")).param).toBe("end_time_ms");
    expect(rejection(() => at("start_time_ms=10&end_time_ms=60011")).param).toBe("end_time_ms");
    // The defaults are the documented ones.
    expect(DEFAULT_LIMITS).toEqual({ minClipMs: 1000, maxClipMs: 300000 });
    expect(rejection(() => q("start_time_ms=0&duration_ms=300001")).message).toMatch(/between 1000 and 300000/);
  });

  it("normalizes an all-zero start and leading zeros everywhere", () => {
    expect(q("start_time_ms=0000&duration_ms=0001000")).toEqual({
      episodeId: "ep1",
      startMs: 0,
      endMs: 1000,
      durationMs: 1000,
      precise: false,
    });
    expect(canonicalQuery(q("start_time_ms=00120&end_time_ms=0002120"))).toBe("start_time_ms=120&duration_ms=2000");
  });
});

describe("validateLimits, beyond the basics", () => {
  it.each([
    [{ minClipMs: Number.NaN, maxClipMs: 10 }, /MIN_CLIP_MS/],
    [{ minClipMs: 1, maxClipMs: Number.POSITIVE_INFINITY }, /MAX_CLIP_MS/],
    [{ minClipMs: -5, maxClipMs: 10 }, /MIN_CLIP_MS/],
    [{ minClipMs: 1, maxClipMs: 10.5 }, /MAX_CLIP_MS/],
  ])("rejects %j", (limits, message) => {
    expect(() => validateLimits(limits)).toThrow(message);
  });

  it("refuses a maximum so large that start + duration would stop being an exact integer", () => {
    const largest = Number.MAX_SAFE_INTEGER - MAX_START_MS;
    expect(validateLimits({ minClipMs: 1, maxClipMs: largest }).maxClipMs).toBe(largest);
    expect(() => validateLimits({ minClipMs: 1, maxClipMs: largest + 1 })).toThrow(/MAX_CLIP_MS/);
    const limits = { minClipMs: 1, maxClipMs: largest };
    const req = parseClipRequest(
      "e",
      new URLSearchParams(`start_time_ms=${MAX_START_MS}&duration_ms=${largest}`),
      limits,
    );
    expect(Number.isSafeInteger(req.endMs)).toBe(true);
    expect(req.endMs - req.startMs).toBe(req.durationMs);
  });
});
