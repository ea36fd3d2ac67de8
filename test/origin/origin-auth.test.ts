import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signOriginRequest } from "../../core/index.js";
import {
  LAMBDA,
  SECRET,
  seedEpisode,
  signFor,
  startTestOrigin,
  startOriginWithEpisode,
  type TestOrigin,
} from "./helpers/harness.js";
import { API_HOST, restApiEvent, v2Event } from "./helpers/api-gateway-event.js";

let t: TestOrigin;
let episode: string;
let path: string;

beforeAll(async () => {
  ({ t, episode } = await startOriginWithEpisode());
  path = `/api/v1/audio_clips/${episode}?start_time_ms=60000&duration_ms=5000`;
});

afterAll(() => t?.close());

function expectForbidden(res: { status: number; body: Record<string, unknown> }): void {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ error: { code: "forbidden" } });
}

describe("origin authentication", () => {
  it("no signature headers → 403, before the request is even parsed", async () => {
    expectForbidden(await t.request(path, { headers: undefined }));
    expectForbidden(await t.request("/api/v1/audio_clips/x?start_time_ms=-1", { headers: undefined }));
    expect(t.ffmpegRuns).toHaveLength(0);
  });

  it("a tampered signature → 403", async () => {
    const headers = await signFor(path);
    const sig = headers["x-edgeclip-signature"] ?? "";
    headers["x-edgeclip-signature"] = sig.slice(0, -1) + (sig.endsWith("0") ? "1" : "0");
    expectForbidden(await t.request(path, { headers }));
  });

  it("a signature made with another secret → 403", async () => {
    const headers = await signOriginRequest(
      { method: "GET", canonicalPath: `/api/v1/audio_clips/${episode}?start_time_ms=60000&duration_ms=5000` },
      "some-other-secret-0123456789",
    );
    expectForbidden(await t.request(path, { headers }));
  });

  it("a stale signature (10 minutes old) → 403", async () => {
    expectForbidden(await t.request(path, { headers: await signFor(path, "GET", Date.now() - 600_000) }));
    expect(t.logs.at(-1)).toMatchObject({ auth: "stale" });
  });

  it("a signature for another clip cannot be replayed onto this one → 403", async () => {
    const other = `/api/v1/audio_clips/${episode}?start_time_ms=0&duration_ms=5000`;
    expectForbidden(await t.request(path, { headers: await signFor(other) }));
  });

  it("a signed request with a bad parameter gets the typed 400", async () => {
    const bad = `/api/v1/audio_clips/${episode}?start_time_ms=1e3&duration_ms=5000`;
    const res = await t.request(bad, { headers: await signFor(path) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "invalid_parameter", param: "start_time_ms" } });
  });

  it("a valid signature over the canonical form accepts any spelling of the same clip", async () => {
    const spelled = `/api/v1/audio_clips/${episode}?duration_ms=05000&start_time_ms=60000&ref=abc`;
    const res = await t.request(spelled, { headers: await signFor(path) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ clip_start_ms: 60_000, clip_end_ms: 65_000 });
  });

  it("a REST API (payload 1.0) event with mixed-case headers is served too", async () => {
    const signed = await signFor(path);
    const timestamp = signed["x-edgeclip-timestamp"] ?? "";
    const event = restApiEvent({
      path: `/api/v1/audio_clips/${episode}`,
      query: "start_time_ms=60000&duration_ms=5000",
      headers: { Host: API_HOST, "X-Edgeclip-Timestamp": timestamp },
      multiValueHeaders: {
        Host: [API_HOST],
        "X-Edgeclip-Timestamp": [timestamp],
        "X-Edgeclip-Signature": [signed["x-edgeclip-signature"] ?? ""],
      },
      sourceIp: "203.0.113.9",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    });
    const res = await t.origin.handle(event, LAMBDA);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ clip_start_ms: 60_000, clip_end_ms: 65_000 });
    expect(t.logs.at(-1)).toMatchObject({ source_ip: "203.0.113.9", method: "GET" });
  });

  it("the secret list allows rotation: a request signed with the second secret is accepted", async () => {
    const rotated = await startTestOrigin({ env: { ORIGIN_SECRET: `new-secret-abcdefghijklmnop,${SECRET}` } });
    try {
      await seedEpisode(rotated.db, { id: episode, audioUrl: "s3://unused/x.mp3", durationMs: 600_000 });
      const res = await rotated.request(path);
      expect(res.status).toBe(200);
      expect(res.json.cache_hit).toBe(true);
    } finally {
      await rotated.close();
    }
  });

  it("other methods → 405 whose message and Allow header name the same methods", async () => {
    const res = await t.origin.handle(v2Event(path, await signFor(path, "POST"), "POST"), LAMBDA);
    expect(res.statusCode).toBe(405);
    expect(res.headers).toMatchObject({ allow: "GET, HEAD" });
    expect(JSON.parse(res.body)).toMatchObject({ error: { message: "Method POST is not allowed; use GET or HEAD" } });
  });
});
