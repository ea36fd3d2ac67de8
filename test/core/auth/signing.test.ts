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
} from "../../../core/index.js";

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

describe("HMAC-SHA256, more vectors and keys", () => {
  it("matches RFC 4231 test case 1 and encodes secret and message as UTF-8", async () => {
    // Case 1's key is 20 bytes of 0x0b; a string of U+000B encodes to exactly those bytes.
    expect(await hmacSha256Hex("\x0b".repeat(20), "Hi There")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    // Reference value from Python's hmac over the UTF-8 bytes.
    expect(await hmacSha256Hex("sécret-ключ", "ünïcode ✓")).toBe(
      "25506b790e0933494c9b2723448d489434e4523c1593a1ea4554289332436340",
    );
  });

  it("keeps secrets apart (the key cache must not mix them up)", async () => {
    const a = await hmacSha256Hex("secret-a-0123456789", "m");
    const b = await hmacSha256Hex("secret-b-0123456789", "m");
    expect(a).not.toBe(b);
    expect(await hmacSha256Hex("secret-a-0123456789", "m")).toBe(a);
    expect(await verifyHmacSha256Hex(["secret-b-0123456789"], "m", a)).toBe(false);
  });

  it.each([
    ["65 hex digits", (s: string) => `${s}0`],
    ["66 hex digits", (s: string) => `${s}00`],
    ["a 0x prefix", (s: string) => `0x${s.slice(2)}`],
    ["a space", (s: string) => ` ${s.slice(1)}`],
    ["a truncated MAC (half)", (s: string) => s.slice(0, 32)],
  ])("refuses a signature with %s", async (_label, mangle) => {
    const sig = await hmacSha256Hex("secret-1", "message");
    expect(await verifyHmacSha256Hex(["secret-1"], "message", mangle(sig))).toBe(false);
  });

  it("accepts the second of two secrets in any order during rotation", async () => {
    const oldSig = await hmacSha256Hex("old-secret-0123456789", "m");
    const newSig = await hmacSha256Hex("new-secret-0123456789", "m");
    const both = ["new-secret-0123456789", "old-secret-0123456789"];
    expect(await verifyHmacSha256Hex(both, "m", oldSig)).toBe(true);
    expect(await verifyHmacSha256Hex(both, "m", newSig)).toBe(true);
    expect(await verifyHmacSha256Hex(["old-secret-0123456789"], "m", newSig)).toBe(false);
  });
});

describe("origin request authentication, every refusal", () => {
  const req = { method: "GET", canonicalPath: "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000" };
  const now = 1_800_000_000_000;
  const secret = "origin-secret-0123456789";
  const check = (headers: Record<string, string>, secrets = [secret], at = now, r = req) =>
    verifyOriginRequest(r, (name) => headers[name], secrets, at);

  it("accepts a request signed with the old secret while both are configured", async () => {
    const headers = await signOriginRequest(req, "old-origin-secret-0123", now);
    expect(await check(headers, [secret, "old-origin-secret-0123"])).toEqual({ ok: true });
    expect(await check(headers, [secret])).toEqual({ ok: false, reason: "mismatch" });
  });

  it("binds the signature to the timestamp, the whole path and the query", async () => {
    const headers = await signOriginRequest(req, secret, now);
    const ts = headers[TIMESTAMP_HEADER] as string;
    const moved = { ...headers, [TIMESTAMP_HEADER]: String(Number(ts) + 1) };
    expect(await check(moved)).toEqual({ ok: false, reason: "mismatch" });
    for (const canonicalPath of [
      "/api/v1/audio_clips/ep2?start_time_ms=0&duration_ms=1000",
      "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1001",
      "/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000&x=1",
      "/api/v1/audio_clips/ep",
    ]) {
      expect(await check(headers, [secret], now, { ...req, canonicalPath })).toEqual({ ok: false, reason: "mismatch" });
    }
  });

  it("allows exactly the documented skew both ways, and no more", async () => {
    expect(MAX_CLOCK_SKEW_S).toBe(300);
    const headers = await signOriginRequest(req, secret, now);
    expect(await check(headers, [secret], now - 300_000)).toEqual({ ok: true });
    expect(await check(headers, [secret], now - 300_001)).toEqual({ ok: false, reason: "stale" });
    expect(await check(headers, [secret], now + 300_000)).toEqual({ ok: true });
    expect(await check(headers, [secret], now + 300_001)).toEqual({ ok: false, reason: "stale" });
    const ancient = await signOriginRequest(req, secret, 0);
    expect(await check(ancient)).toEqual({ ok: false, reason: "stale" });
  });

  it.each([
    ["an empty timestamp", { [TIMESTAMP_HEADER]: "" }],
    ["a negative timestamp", { [TIMESTAMP_HEADER]: "-1800000000" }],
    ["a fractional timestamp", { [TIMESTAMP_HEADER]: "1800000000.5" }],
    ["a 13-digit timestamp", { [TIMESTAMP_HEADER]: "1800000000000" }],
    ["a padded timestamp", { [TIMESTAMP_HEADER]: " 1800000000" }],
    ["another scheme", { [SIGNATURE_HEADER]: "v2=00" }],
    ["a bare signature", { [SIGNATURE_HEADER]: "00".repeat(32) }],
    ["an uppercase scheme", { [SIGNATURE_HEADER]: `V1=${"00".repeat(32)}` }],
  ])("calls %s malformed", async (_label, override) => {
    const headers = { ...(await signOriginRequest(req, secret, now)), ...override };
    expect(await check(headers)).toEqual({ ok: false, reason: "malformed" });
  });

  it("calls a well-formed but wrong or truncated signature a mismatch", async () => {
    const headers = await signOriginRequest(req, secret, now);
    const sig = headers[SIGNATURE_HEADER] as string;
    for (const bad of [sig.slice(0, -2), `${sig}00`, "v1=", `v1=${"0".repeat(64)}`, `${sig.slice(0, -1)}g`]) {
      expect(await check({ ...headers, [SIGNATURE_HEADER]: bad })).toEqual({ ok: false, reason: "mismatch" });
    }
  });

  it("reports missing headers before anything else", async () => {
    expect(await check({})).toEqual({ ok: false, reason: "missing" });
    expect(await check({ [TIMESTAMP_HEADER]: "garbage" })).toEqual({ ok: false, reason: "missing" });
  });
});
