import { describe, expect, it } from "vitest";
import {
  MAX_CLOCK_SKEW_S,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  fromHex,
  hmacSha256Hex,
  signOriginRequest,
  verifyHmacSha256Hex,
  verifyOriginRequest,
} from "../../core/index.js";

describe("HMAC-SHA256", () => {
  it("matches RFC 4231 test case 2", async () => {
    expect(await hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("verifies the right signature and refuses wrong, short and non-hex ones", async () => {
    const sig = await hmacSha256Hex("secret-1", "message");
    expect(await verifyHmacSha256Hex(["secret-1"], "message", sig)).toBe(true);
    expect(await verifyHmacSha256Hex(["secret-1"], "message", sig.toUpperCase())).toBe(true);
    expect(await verifyHmacSha256Hex(["secret-1"], "message2", sig)).toBe(false);
    const flipped = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
    expect(await verifyHmacSha256Hex(["secret-1"], "message", flipped)).toBe(false);
    expect(await verifyHmacSha256Hex(["secret-1"], "message", sig.slice(0, 62))).toBe(false);
    expect(await verifyHmacSha256Hex(["secret-1"], "message", `${sig.slice(0, 62)}zz`)).toBe(false);
    expect(await verifyHmacSha256Hex(["secret-1"], "message", "")).toBe(false);
  });

  it("accepts any configured secret, so secrets can rotate", async () => {
    const sig = await hmacSha256Hex("old-secret", "m");
    expect(await verifyHmacSha256Hex(["new-secret", "old-secret"], "m", sig)).toBe(true);
    expect(await verifyHmacSha256Hex(["new-secret"], "m", sig)).toBe(false);
    expect(await verifyHmacSha256Hex([], "m", sig)).toBe(false);
  });

  it("decodes hex strictly", () => {
    expect(Array.from(fromHex("00ff10") ?? [])).toEqual([0, 255, 16]);
    expect(fromHex("abc")).toBeUndefined();
    expect(fromHex("0g")).toBeUndefined();
  });
});

describe("origin request authentication", () => {
  const req = { method: "GET", canonicalPath: "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000" };
  const now = 1_800_000_000_000;
  const secret = "origin-secret-0123456789";

  async function verify(headers: Record<string, string>, overrides: Partial<typeof req> = {}, at = now) {
    return verifyOriginRequest({ ...req, ...overrides }, (name) => headers[name], [secret], at);
  }

  it("accepts what it signed, and a lowercase method", async () => {
    const headers = await signOriginRequest(req, secret, now);
    expect(headers[TIMESTAMP_HEADER]).toBe("1800000000");
    expect(headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(await verify(headers)).toEqual({ ok: true });
    expect(await verify(headers, { method: "get" })).toEqual({ ok: true });
  });

  it("refuses another clip, another method or another secret", async () => {
    const headers = await signOriginRequest(req, secret, now);
    const mismatch = { ok: false, reason: "mismatch" };
    expect(await verify(headers, { canonicalPath: req.canonicalPath.replace("=0&", "=1&") })).toEqual(mismatch);
    expect(await verify(headers, { method: "HEAD" })).toEqual(mismatch);
    const other = await signOriginRequest(req, "another-secret-0123456789", now);
    expect(await verify(other)).toEqual(mismatch);
  });

  it("refuses stale and future timestamps beyond the allowed skew", async () => {
    const headers = await signOriginRequest(req, secret, now);
    expect(await verify(headers, {}, now + MAX_CLOCK_SKEW_S * 1000)).toEqual({ ok: true });
    expect(await verify(headers, {}, now + (MAX_CLOCK_SKEW_S + 1) * 1000)).toEqual({ ok: false, reason: "stale" });
    expect(await verify(headers, {}, now - (MAX_CLOCK_SKEW_S + 1) * 1000)).toEqual({ ok: false, reason: "stale" });
  });

  it("tells missing from malformed headers", async () => {
    const headers = await signOriginRequest(req, secret, now);
    const sig = headers[SIGNATURE_HEADER] as string;
    expect(await verify({ [SIGNATURE_HEADER]: sig })).toEqual({ ok: false, reason: "missing" });
    expect(await verify({ [TIMESTAMP_HEADER]: "1800000000" })).toEqual({ ok: false, reason: "missing" });
    expect(await verify({ [TIMESTAMP_HEADER]: "18e8", [SIGNATURE_HEADER]: sig })).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(await verify({ [TIMESTAMP_HEADER]: "1800000000", [SIGNATURE_HEADER]: sig.slice(3) })).toEqual({
      ok: false,
      reason: "malformed",
    });
  });
});
