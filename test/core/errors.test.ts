import { describe, expect, it } from "vitest";
import {
  ClipError,
  ERROR_STATUS,
  PUBLIC_ERROR_MESSAGES,
  errorBody,
  isClipErrorBody,
  toClipError,
} from "../../core/index.js";

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

  it("exposes client errors and not server errors, nor 422 (its message describes the operator's source)", () => {
    expect(new ClipError("episode_not_found", "x").expose).toBe(true);
    expect(new ClipError("unprocessable_source", "x").expose).toBe(false);
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

describe("the status table, exactly as documented", () => {
  it("maps every code to its HTTP status and nothing more", () => {
    expect(ERROR_STATUS).toEqual({
      invalid_parameter: 400,
      invalid_path: 400,
      forbidden: 403,
      not_found: 404,
      episode_not_found: 404,
      method_not_allowed: 405,
      start_beyond_end: 416,
      range_not_satisfiable: 416,
      unprocessable_source: 422,
      rate_limited: 429,
      internal: 500,
      bad_gateway: 502,
      service_unavailable: 503,
      timeout: 504,
    });
  });

  it.each(Object.entries(ERROR_STATUS))("%s: expose is true exactly below 500, 422 aside", (code, status) => {
    const err = new ClipError(code as keyof typeof ERROR_STATUS, "m");
    expect(err.expose).toBe(status < 500 && status !== 422);
    // A message that is not exposed never reaches the body: the fixed one for its code does.
    const body = errorBody(err, "req-1").error;
    if (err.expose) expect(body).toEqual({ code, message: "m" });
    else
      expect(body).toEqual({
        code,
        message: PUBLIC_ERROR_MESSAGES[code as keyof typeof PUBLIC_ERROR_MESSAGES],
        request_id: "req-1",
      });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ClipError");
  });
});

describe("toClipError, beyond Error objects", () => {
  it.each([
    ["a TypeError", new TypeError("Cannot read properties of undefined (reading 'secretKey')")],
    ["a string", "s3://private-bucket/key denied"],
    ["undefined", undefined],
    ["null", null],
    ["an object", { message: "mongodb://admin:hunter2@db:27017" }],
    ["a lookalike with a code", { name: "ClipError", code: "forbidden", status: 403, message: "fake" }],
  ])("wraps %s as a 500 that says nothing of it, keeping it as the cause", (_label, thrown) => {
    const err = toClipError(thrown);
    expect([err.code, err.status, err.expose, err.message]).toEqual(["internal", 500, false, "Internal error"]);
    expect(err.cause).toBe(thrown);
    expect(JSON.stringify(errorBody(err))).toBe('{"error":{"code":"internal","message":"Internal error"}}');
  });
});

describe("isClipErrorBody, hostile bodies", () => {
  it.each(["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])(
    "refuses the inherited name %j as a code",
    (code) => {
      // The Worker turns a recognized body into new ClipError(code): an inherited name would give a status
      // that is a function, not a number.
      expect(isClipErrorBody({ error: { code, message: "x" } })).toBe(false);
      expect(isClipErrorBody(JSON.parse(`{"error":{"code":${JSON.stringify(code)},"message":"x"}}`))).toBe(false);
    },
  );

  it("refuses a param that is not a string, and accepts every real body", () => {
    expect(isClipErrorBody({ error: { code: "invalid_parameter", message: "x", param: 5 } })).toBe(false);
    expect(isClipErrorBody({ error: { code: "invalid_parameter", message: "x", param: "duration_ms" } })).toBe(true);
    expect(isClipErrorBody({ error: { code: "timeout", message: 5 } })).toBe(false);
    expect(isClipErrorBody("{}")).toBe(false);
    for (const code of Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]) {
      const body = JSON.parse(JSON.stringify(errorBody(new ClipError(code, "m", { param: "p" })))) as unknown;
      expect(isClipErrorBody(body)).toBe(true);
    }
  });
});
