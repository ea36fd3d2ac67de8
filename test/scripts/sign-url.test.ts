import { describe, expect, it } from "vitest";
import { parseClipUrl, parseUrlSigningKeys, verifyClipUrlSignature } from "../../core/index.js";
import { runScript } from "./helpers/run-script.js";

const KEYS = "k1:first-signing-secret-012345,k2:second-signing-secret-01234";

async function signUrl(args: string[], keys = KEYS) {
  const out = await runScript("scripts/sign-url.ts", args, { ...process.env, URL_SIGNING_KEYS: keys });
  return { ...out, stdout: out.stdout.trim() };
}

describe("npm run sign-url", () => {
  it("prints a canonical signed URL that the Worker's check accepts", async () => {
    const out = await signUrl([
      "/api/v1/audio_clips/ep1?duration_ms=30000&start_time_ms=0754000",
      "--base",
      "https://clips.example",
      "--key-id",
      "k2",
      "--expires-in",
      "2h",
    ]);
    expect(out.code).toBe(0);
    const url = new URL(out.stdout);
    expect(url.origin + url.pathname).toBe("https://clips.example/api/v1/audio_clips/ep1");
    expect(url.searchParams.get("start_time_ms")).toBe("754000");
    expect(url.searchParams.get("kid")).toBe("k2");
    const exp = Number(url.searchParams.get("exp"));
    expect(Math.abs(exp - (Date.now() / 1000 + 7200))).toBeLessThan(60);
    expect(await verifyClipUrlSignature(parseClipUrl(url), url.searchParams, parseUrlSigningKeys(KEYS))).toEqual({
      ok: true,
    });
  });

  it("refuses a bad clip URL, an unknown key, missing keys and bad usage with clear messages", async () => {
    const bad = await signUrl(["/api/v1/audio_clips/ep1?start_time_ms=-1&duration_ms=1000"]);
    expect([bad.code, bad.stdout]).toEqual([1, ""]);
    expect(bad.stderr).toContain("start_time_ms");
    expect(
      (await signUrl(["/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=1000", "--key-id", "k9"])).stderr,
    ).toContain("no key with id k9");
    expect((await signUrl(["/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=1000"], "")).stderr).toContain(
      "URL_SIGNING_KEYS",
    );
    const usage = await signUrl([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage:");
  });
});
