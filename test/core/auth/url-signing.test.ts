import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClipUrl, parseUrlSigningKeys, signClipUrl, verifyClipUrlSignature } from "../../../core/index.js";

const BASE = "https://edge.example";
const KEYS = parseUrlSigningKeys("k2:new-signing-secret-0123456789, k1:old-signing-secret-0123456789");
const NOW = 1_800_000_000_000;
const EXP = NOW / 1000 + 600;
const req = parseClipUrl(new URL("/api/v1/audio_clips/ep1?start_time_ms=1000&duration_ms=5000", BASE));

async function check(url: string, at = NOW) {
  const u = new URL(url);
  return verifyClipUrlSignature(parseClipUrl(u), u.searchParams, KEYS, at);
}

describe("URL signing keys", () => {
  it("parses id:secret pairs in order", () => {
    expect(KEYS.map((k) => k.id)).toEqual(["k2", "k1"]);
  });

  it.each([
    ["", /no keys/],
    ["k1", /id:secret/],
    ["bad id:secret-0123456789abcdef", /id:secret/],
    ["k1:short", /at least 16/],
    ["k1:secret-0123456789abcdef,k1:secret-0123456789abcdeg", /twice/],
  ])("rejects %j", (value, message) => {
    expect(() => parseUrlSigningKeys(value)).toThrow(message);
  });
});

describe("signed clip URLs", () => {
  it("verifies what it signed, with either configured key, and any spelling of the clip", async () => {
    const signed = await signClipUrl(BASE, req, KEYS[0]!, EXP);
    expect(signed).toMatch(
      /^https:\/\/edge\.example\/api\/v1\/audio_clips\/ep1\?start_time_ms=1000&duration_ms=5000&kid=k2&exp=\d+&sig=[0-9a-f]{64}$/,
    );
    expect(await check(signed)).toEqual({ ok: true });
    expect(await check(await signClipUrl(BASE, req, KEYS[1]!, EXP))).toEqual({ ok: true });
    const respelled = signed.replace("start_time_ms=1000&duration_ms=5000", "end_time_ms=6000&start_time_ms=01000&x=1");
    expect(await check(respelled)).toEqual({ ok: true });
  });

  it("tells each failure apart", async () => {
    const signed = await signClipUrl(BASE, req, KEYS[0]!, EXP);
    expect(await check(signed, (EXP + 1) * 1000)).toEqual({ ok: false, reason: "expired" });
    expect(await check(signed.replace("kid=k2", "kid=k7"))).toEqual({ ok: false, reason: "unknown_key" });
    expect(await check(signed.replace("kid=k2", "kid=k1"))).toEqual({ ok: false, reason: "mismatch" });
    expect(await check(signed.replace(/exp=\d+/, `exp=${EXP + 1}`))).toEqual({ ok: false, reason: "mismatch" });
    expect(await check(signed.replace(/exp=\d+/, "exp=1e9"))).toEqual({ ok: false, reason: "malformed" });
    expect(await check(`${signed}&sig=00`)).toEqual({ ok: false, reason: "malformed" });
    expect(await check(signed.replace(/&sig=[0-9a-f]+/, ""))).toEqual({ ok: false, reason: "missing" });
  });

  it("fails for any other clip than the one signed", async () => {
    const signed = new URL(await signClipUrl(BASE, req, KEYS[0]!, EXP));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1e8 }),
        fc.integer({ min: 1000, max: 300000 }),
        async (start, duration) => {
          fc.pre(start !== req.startMs || duration !== req.durationMs);
          const other = new URL(signed);
          other.searchParams.set("start_time_ms", String(start));
          other.searchParams.set("duration_ms", String(duration));
          expect((await check(other.toString())).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
