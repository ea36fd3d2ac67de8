import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOriginServer } from "../../origin/dev/local-server.js";
import { cbrTenMinutes } from "../origin/helpers/fixtures.js";
import type { TestOrigin } from "../origin/helpers/harness.js";
import type { Edge } from "./helpers/edge.js";
import { startRealEdge, stopRealEdge } from "./helpers/real-edge.js";
import { waitFor } from "../shared/wait-for.js";

// One request id in both halves' log lines, for real: workerd → local API Gateway stand-in → origin, so an
// operator can go from the Worker's line to the origin's (and its metrics) with one search.
let t: TestOrigin;
let server: LocalOriginServer;
let edge: Edge;
let episode: string;

const clipPath = (start: number) => `/api/v1/audio_clips/${episode}?start_time_ms=${start}&duration_ms=2000`;

beforeAll(async () => {
  ({ t, server, edge, episode } = await startRealEdge(cbrTenMinutes));
});

afterAll(() => stopRealEdge({ t, server, edge }));

/** The Worker's access log line for a path (its lines reach the test asynchronously, from workerd's stdout). */
async function edgeLine(path: string): Promise<Record<string, unknown>> {
  const pathname = path.split("?")[0];
  return waitFor(
    () =>
      edge.logs
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === "request" && l.path === pathname),
    `the Worker's log line for ${pathname}`,
  );
}

const originLine = (start: number) =>
  t.logs.find((l) => l.msg === "clip request" && l.start_ms === start) ?? ({} as Record<string, unknown>);

describe("request id from the edge to the origin (real Worker, real origin)", () => {
  it("the Cloudflare ray id the Worker logs is the origin's edge_request_id, beside its own request id", async () => {
    const ray = "8f2a3b4c5d6e7f80-LHR";
    const res = await edge.fetch(clipPath(10_000), { headers: { "cf-ray": ray } });
    expect([res.status, res.headers.get("x-edgeclip-layer")]).toEqual([200, "generated"]);
    expect(await edgeLine(clipPath(10_000))).toMatchObject({ requestId: ray, status: 200, layer: "generated" });
    const line = originLine(10_000);
    expect(line).toMatchObject({ edge_request_id: ray, outcome: "generated" });
    // The origin's own id (API Gateway's) stays: the two ids name two hops.
    expect(line.request_id).toEqual(expect.any(String));
    expect(line.request_id).not.toBe(ray);
  });

  it("without a ray id, the Worker's own UUID is the one both lines carry", async () => {
    // Both requests have the same path: only lines from this one may answer.
    edge.logs.length = 0;
    const res = await edge.fetch(clipPath(20_000));
    expect(res.status).toBe(200);
    const id = (await edgeLine(clipPath(20_000))).requestId;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(originLine(20_000)).toMatchObject({ edge_request_id: id });
  });
});
