import { describe, expect, it } from "vitest";
import {
  ClipError,
  LAYERS,
  canonicalPath,
  clipExtent,
  clipObjectKey,
  clipPath,
  clipRequestFromKey,
  endedEarly,
  isLayer,
  parseClipUrl,
  wantsJson,
} from "../../../core/index.js";

const req = (path: string) => parseClipUrl(new URL(path, "https://edge.example"));

describe("clipPath", () => {
  it("builds a path that parses back to the same canonical request", () => {
    const built = clipPath("ep-1", { start_time_ms: 754000, duration_ms: 30000 });
    expect(built).toBe("/api/v1/audio_clips/ep-1?start_time_ms=754000&duration_ms=30000");
    expect(canonicalPath(req(built))).toBe(built);
  });

  it("percent-encodes the id, so a hostile one cannot add a path segment or a parameter", () => {
    const built = clipPath("a/../b?x=1", { start_time_ms: 0, duration_ms: 1000 });
    expect(new URL(built, "https://edge.example").pathname).toBe("/api/v1/audio_clips/a%2F..%2Fb%3Fx%3D1");
    expect(() => req(built)).toThrow(ClipError);
  });
});

describe("clipRequestFromKey", () => {
  it.each([
    "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000",
    "/api/v1/audio_clips/E_9-x?start_time_ms=754000&duration_ms=30000&precise=1",
  ])("inverts clipObjectKey for %s", (path) => {
    const request = req(path);
    expect(clipRequestFromKey(clipObjectKey(request))).toEqual(request);
    // An AAC source's M4A clip of the same range names the same request.
    expect(clipRequestFromKey(clipObjectKey(request, "m4a"))).toEqual(request);
  });

  it.each([
    "audio_clips/ep/10-5.mp3",
    "audio_clips/ep/5-5.mp3",
    "audio_clips/-ep/0-1000.mp3",
    "audio_clips/ep/0-1000.m4a.tmp",
    "audio_clips/ep/0-1000.aac",
    "waveform/ep.json",
    "audio_clips/a/b/0-1000.mp3",
  ])("refuses a key it did not write: %s", (key) => {
    expect(clipRequestFromKey(key)).toBeUndefined();
  });
});

describe("clipExtent", () => {
  const clip = req("/api/v1/audio_clips/ep?start_time_ms=10000&duration_ms=30000");

  it("keeps a clip inside the episode as requested", () => {
    expect(clipExtent(clip, 60_000)).toEqual({ startMs: 10_000, endMs: 40_000, clamped: false });
  });

  it("cuts a clip at the episode's end and says so", () => {
    expect(clipExtent(clip, 25_000)).toEqual({ startMs: 10_000, endMs: 25_000, clamped: true });
  });

  it("refuses a start at or past the end with a 416 naming start_time_ms", () => {
    for (const duration of [10_000, 9_999]) {
      const err = (() => {
        try {
          clipExtent(clip, duration);
        } catch (e) {
          return e as ClipError;
        }
        throw new Error("expected a refusal");
      })();
      expect(err.status).toBe(416);
      expect(err.param).toBe("start_time_ms");
    }
  });

  it("shortens the extent when the audio ends before the catalog said", () => {
    const extent = clipExtent(clip, 60_000);
    expect(endedEarly(extent, 30_000)).toEqual({ startMs: 10_000, endMs: 30_000, clamped: true });
    expect(endedEarly(extent, 50_000)).toBe(extent);
    expect(endedEarly(extent, undefined)).toBe(extent);
  });
});

describe("wantsJson", () => {
  const none = new URLSearchParams();
  it.each([
    ["application/json", none, true],
    ["application/json, audio/*", none, false],
    ["audio/webm,audio/ogg,audio/wav,audio/*;q=0.9,application/ogg;q=0.7,video/*;q=0.6,*/*;q=0.5", none, false],
    ["*/*", none, false],
    [null, none, false],
    [null, new URLSearchParams("response=json"), true],
  ] as const)("Accept %s → %s", (accept, params, expected) => {
    expect(wantsJson(accept, params)).toBe(expected);
  });
});

describe("layers", () => {
  it("names every layer once and recognises only those", () => {
    expect(new Set(LAYERS).size).toBe(LAYERS.length);
    for (const layer of LAYERS) expect(isLayer(layer)).toBe(true);
    expect(isLayer("cdn")).toBe(false);
    expect(isLayer(undefined)).toBe(false);
  });
});
