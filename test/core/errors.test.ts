import { describe, expect, it } from "vitest";
import { ClipError, ERROR_STATUS, errorBody, isClipErrorBody, toClipError } from "../../core/index.js";

describe("ClipError", () => {
  it("takes its status from the one table", () => {
    expect(new ClipError("invalid_parameter", "x").status).toBe(400);
    expect(new ClipError("forbidden", "x").status).toBe(403);
    expect(new ClipError("episode_not_found", "x").status).toBe(404);
    expect(new ClipError("start_beyond_end", "x").status).toBe(416);
    expect(new ClipError("rate_limited", "x").status).toBe(429);
    expect(new ClipError("bad_gateway", "x").status).toBe(502);
    expect(new ClipError("service_unavailable", "x").status).toBe(503);
    expect(new ClipError("timeout", "x").status).toBe(504);
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(new ClipError(code as keyof typeof ERROR_STATUS, "m").status).toBe(status);
    }
  });

  it("exposes client errors and not server errors", () => {
    expect(new ClipError("unprocessable_source", "x").expose).toBe(true);
    expect(new ClipError("internal", "x").expose).toBe(false);
    expect(new ClipError("timeout", "x").expose).toBe(false);
  });

  it("carries param, Retry-After and cause", () => {
    const cause = new Error("low level");
    const err = new ClipError("service_unavailable", "S3 unavailable", { retryAfterS: 5, cause });
    expect([err.retryAfterS, err.cause, err.param]).toEqual([5, cause, undefined]);
  });
});

describe("toClipError", () => {
  it("keeps a ClipError as it is", () => {
    const err = new ClipError("forbidden", "no");
    expect(toClipError(err)).toBe(err);
  });

  it("wraps anything else as internal without leaking its message", () => {
    const wrapped = toClipError(new Error("mongodb://user:password@host failed"));
    expect(wrapped.code).toBe("internal");
    expect(wrapped.message).not.toContain("password");
    expect(toClipError("a string").code).toBe("internal");
  });
});

describe("error bodies", () => {
  it("have the public shape, with param only when there is one", () => {
    expect(errorBody(new ClipError("invalid_parameter", "bad", { param: "duration_ms" }))).toEqual({
      error: { code: "invalid_parameter", message: "bad", param: "duration_ms" },
    });
    expect(errorBody(new ClipError("forbidden", "no"))).toEqual({ error: { code: "forbidden", message: "no" } });
  });

  it("are recognized by isClipErrorBody, and nothing else is", () => {
    expect(isClipErrorBody(errorBody(new ClipError("timeout", "slow")))).toBe(true);
    for (const v of [
      null,
      1,
      {},
      { error: null },
      { error: { code: "nope", message: "x" } },
      { error: { code: "timeout" } },
    ]) {
      expect(isClipErrorBody(v)).toBe(false);
    }
  });
});
