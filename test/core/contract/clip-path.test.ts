import { describe, expect, it } from "vitest";
import {
  CLIP_PATH_PREFIX,
  canonicalPath,
  clipObjectKey,
  episodeClipPrefix,
  episodeIdFromPath,
  parseClipUrl,
} from "../../../core/index.js";
import { rejection } from "../helpers/rejection.js";

// The episode id as it arrives in a real URL: through the WHATWG parser, then episodeIdFromPath.
const BASE = "https://edge.example";
const QUERY = "?start_time_ms=0&duration_ms=1000";
const fromUrl = (path: string) => parseClipUrl(new URL(`${path}${QUERY}`, BASE));

describe("episode_id in the URL path", () => {
  it.each([
    ["one letter", "a", "a"],
    ["one digit", "9", "9"],
    ["128 characters", "x".repeat(128), "x".repeat(128)],
    ["an encoded letter", "%41bc", "Abc"],
    ["encoded '-' and '_'", "ab%2Dc%5F1", "ab-c_1"],
    ["a UUID", "0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e"],
  ])("accepts %s", (_label, segment, id) => {
    const req = fromUrl(`${CLIP_PATH_PREFIX}${segment}`);
    expect(req.episodeId).toBe(id);
    expect(canonicalPath(req)).toBe(`/api/v1/audio_clips/${id}?start_time_ms=0&duration_ms=1000`);
  });

  it.each([
    ["129 characters", "x".repeat(129)],
    ["leading dash", "-x"],
    ["leading underscore", "_x"],
    ["encoded leading dash", "%2Dx"],
    ["unicode (encoded by the URL parser)", "é"],
    ["percent-encoded unicode", "%C3%A9"],
    ["emoji", "%F0%9F%8E%B5"],
    ["encoded slash", "a%2Fb"],
    ["encoded backslash", "a%5Cb"],
    ["dots", "a.."],
    ["encoded dots inside a segment", "a%2E%2E"],
    ["NUL", "a%00"],
    ["space", "a%20b"],
    ["broken percent-encoding", "%"],
    ["truncated UTF-8 sequence", "%E0%A4%A"],
    ["invalid UTF-8", "%FF"],
    ["trailing slash", "ep1/"],
    ["extra segment", "ep1/extra"],
    ["empty", ""],
  ])("%s is a 400 naming episode_id", (_label, segment) => {
    const err = rejection(() => fromUrl(`${CLIP_PATH_PREFIX}${segment}`));
    expect([err.status, err.code, err.param]).toEqual([400, "invalid_parameter", "episode_id"]);
    expect(err.message).toContain("episode_id");
  });

  it.each([
    "/",
    "/api/v1/audio_clips",
    "/api/v1/audio_clipsX/ep1",
    "/API/v1/audio_clips/ep1",
    "/api/v1/audio_clips/..",
    "/api/v1/audio_clips/%2e%2e",
    "/api/v1/audio_clips/../audio_clips2/ep1",
    "/other/api/v1/audio_clips/ep1",
  ])("%s is not a clip path (not_found)", (path) => {
    const err = rejection(() => fromUrl(path));
    expect([err.status, err.code]).toEqual([404, "not_found"]);
  });

  it("decodes each percent-escape exactly once", () => {
    // %2541 is "%41" after one decode; decoding twice would turn it into "A" and alias another episode.
    expect(episodeIdFromPath("/api/v1/audio_clips/%2541")).toBe("%41");
    expect(rejection(() => fromUrl("/api/v1/audio_clips/%2541")).param).toBe("episode_id");
    expect(episodeIdFromPath("/api/v1/audio_clips/%41")).toBe("A");
  });
});

describe("object keys", () => {
  const req = { episodeId: "EP_1-a", startMs: 0, endMs: 1000, durationMs: 1000, precise: false };

  it("name the requested range, without leading zeros", () => {
    expect(clipObjectKey(req)).toBe("audio_clips/EP_1-a/0-1000.mp3");
    const parsed = fromUrl("/api/v1/audio_clips/EP_1-a").episodeId;
    expect(parsed).toBe("EP_1-a");
    const spelled = parseClipUrl(new URL("/api/v1/audio_clips/e?end_time_ms=000061000&start_time_ms=0001000", BASE));
    expect(clipObjectKey(spelled)).toBe("audio_clips/e/1000-61000.mp3");
  });

  it("keep a precise (re-encoded) clip apart from the frame-copied one of the same range", () => {
    const precise = parseClipUrl(new URL("/api/v1/audio_clips/e?start_time_ms=1000&duration_ms=5000&precise=1", BASE));
    expect(clipObjectKey(precise)).toBe("audio_clips/e/1000-6000.precise.mp3");
    expect(canonicalPath(precise)).toBe("/api/v1/audio_clips/e?start_time_ms=1000&duration_ms=5000&precise=1");
    const off = parseClipUrl(new URL("/api/v1/audio_clips/e?start_time_ms=1000&duration_ms=5000&precise=0", BASE));
    expect(clipObjectKey(off)).toBe("audio_clips/e/1000-6000.mp3");
    expect(canonicalPath(off)).toBe("/api/v1/audio_clips/e?start_time_ms=1000&duration_ms=5000");
    expect(
      parseClipUrl(new URL("/api/v1/audio_clips/e?start_time_ms=1&duration_ms=5000&precise=true", BASE)).precise,
    ).toBe(true);
    for (const bad of ["", "yes", "2", "1&precise=1"]) {
      const url = new URL(`/api/v1/audio_clips/e?start_time_ms=1&duration_ms=5000&precise=${bad}`, BASE);
      expect(rejection(() => parseClipUrl(url)).param).toBe("precise");
    }
  });

  it("live under their episode's prefix, and a prefix is only made for a valid id", () => {
    expect(episodeClipPrefix("EP_1-a")).toBe("audio_clips/EP_1-a/");
    expect(clipObjectKey(req).startsWith(episodeClipPrefix(req.episodeId))).toBe(true);
    // A purge by prefix with "" or ".." would reach other episodes' clips (or none, silently).
    for (const bad of ["", "..", "a/b", "-x"]) {
      expect(rejection(() => episodeClipPrefix(bad)).param).toBe("episode_id");
    }
  });
});
