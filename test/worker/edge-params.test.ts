import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeWorkerBundle, startEdge, type Edge } from "./helpers/edge.js";
import { startScriptedOrigin, type ScriptedOrigin } from "./helpers/stub-origin.js";

// Requests the edge must refuse on its own: the origin (scripted origin) is there only to count calls.
let edge: Edge;
let origin: ScriptedOrigin;

beforeAll(async () => {
  origin = await startScriptedOrigin();
  edge = await startEdge({ originUrl: origin.url, originSecret: "scripted-origin-secret-0123456789" });
});

afterAll(async () => {
  await edge?.close();
  await origin?.close();
  await disposeWorkerBundle();
});

describe("parameter rules through the edge (scripted origin, never called)", () => {
  // A sample of the parameter rules (core's own tests cover them all): each is a 400 naming the parameter.
  it.each([
    ["start_time_ms=-1&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=1.5&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=1e3&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=0x10&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=1&start_time_ms=2&duration_ms=1000", "start_time_ms"],
    ["duration_ms=1000", "start_time_ms"],
    ["start_time_ms=99999999999999999999&duration_ms=1000", "start_time_ms"],
    ["start_time_ms=0&duration_ms=999", "duration_ms"],
    ["start_time_ms=0&duration_ms=300001", "duration_ms"],
    ["start_time_ms=0", "duration_ms"],
    ["start_time_ms=5000&end_time_ms=5000", "end_time_ms"],
    ["start_time_ms=0&duration_ms=1000&end_time_ms=1000", "end_time_ms"],
  ])("answers ?%s with 400 naming %s, without asking the origin", async (query, param) => {
    const res = await edge.fetch(`/api/v1/audio_clips/ep1?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const body = (await res.json()) as { error: { code: string; param: string; message: string } };
    expect(body.error).toMatchObject({ code: "invalid_parameter", param });
    expect(body.error.message).toContain(param);
    expect(origin.calls).toBe(0);
  });

  it.each(["-bad", "a".repeat(129), "a%2Fb", "ep%201"])("answers episode id %s with 400", async (id) => {
    const res = await edge.fetch(`/api/v1/audio_clips/${id}?start_time_ms=0&duration_ms=1000`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "invalid_parameter", param: "episode_id" } });
  });

  it("answers unknown paths with 404 and other methods with 405", async () => {
    expect((await edge.fetch(`/nope`)).status).toBe(404);
    expect(
      (await edge.fetch("/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=1000", { method: "POST" })).status,
    ).toBe(405);
    expect((await edge.fetch(`/healthz`)).status).toBe(200);
    expect(origin.calls).toBe(0);
  });

  // Control: the same edge does answer a well-formed request (so the refusals above are about the input).
  it("passes a well-formed request to the origin", async () => {
    const res = await edge.fetch("/api/v1/audio_clips/ep1?start_time_ms=0&duration_ms=1000&utm_source=x");
    expect([res.status, res.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(origin.calls).toBe(1);
  });
});
