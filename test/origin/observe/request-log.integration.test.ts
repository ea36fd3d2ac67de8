import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeRequestId } from "../../../origin/observe/request-log.js";
import { declaredMetrics, emfProblems } from "../helpers/emf.js";
import { signFor, startOriginWithEpisode, type TestOrigin } from "../helpers/harness.js";
import { clipPath } from "../helpers/leftovers.js";

// The origin's one log line per request, from real requests (real S3, MongoDB, cutter): it carries the
// request's CloudWatch metrics (EMF) and the Worker's request id.
let t: TestOrigin;
let episode: string;

beforeAll(async () => {
  ({ t, episode } = await startOriginWithEpisode({ env: { METRICS_NAMESPACE: "edgeclip/test" } }));
});

afterAll(() => t?.close());

/** The signed request as the Worker sends it, with its request id. */
async function fromEdge(pathAndQuery: string, requestId: string) {
  return t.request(pathAndQuery, { headers: { ...(await signFor(pathAndQuery)), "x-request-id": requestId } });
}

const lastLine = () => t.logs.at(-1) ?? {};

describe("EMF metrics in the request log line (real requests)", () => {
  it("a generated clip: valid EMF with every metric, in the configured namespace", async () => {
    const res = await t.request(clipPath(episode, 60_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, false]);
    const line = lastLine();
    expect(emfProblems(line)).toEqual([]);
    expect([...declaredMetrics(line)].sort()).toEqual(
      ["ClipBytes", "Errors", "GenerationTime", "Hit", "Miss", "RequestTime", "SourceBytesRead"].sort(),
    );
    expect(line).toMatchObject({
      outcome: "generated",
      Outcome: "generated",
      Hit: 0,
      Miss: 1,
      Errors: 0,
      GenerationTime: res.json.generation_time_ms,
      RequestTime: line.duration_ms,
      SourceBytesRead: line.source_bytes_read,
      ClipBytes: res.json.file_size_bytes,
    });
    expect(line.SourceBytesRead).toBeGreaterThan(0);
    const directives = (line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics;
    expect(new Set(directives.map((d) => d.Namespace))).toEqual(new Set(["edgeclip/test"]));
    // One line per request: the metrics did not add a second one.
    expect(t.logs.filter((l) => l.msg === "clip request")).toHaveLength(1);
  });

  it("a hit: valid EMF, Hit 1, nothing about cutting", async () => {
    const res = await t.request(clipPath(episode, 60_000));
    expect([res.status, res.json.cache_hit]).toEqual([200, true]);
    const line = lastLine();
    expect(emfProblems(line)).toEqual([]);
    expect([...declaredMetrics(line)].sort()).toEqual(["Errors", "Hit", "Miss", "RequestTime"]);
    expect(line).toMatchObject({ Outcome: "hit", Hit: 1, Miss: 0, Errors: 0, RequestTime: line.duration_ms });
  });

  it("errors: valid EMF, counted under their error code", async () => {
    const unknown = await t.request(clipPath("no-such-episode", 0));
    expect(unknown.status).toBe(404);
    expect(emfProblems(lastLine())).toEqual([]);
    expect(lastLine()).toMatchObject({ Outcome: "error", ErrorCode: "episode_not_found", Errors: 1 });

    const unsigned = await t.request(clipPath(episode, 0), { headers: undefined });
    expect(unsigned.status).toBe(403);
    expect(emfProblems(lastLine())).toEqual([]);
    expect(lastLine()).toMatchObject({ Outcome: "error", ErrorCode: "forbidden", Errors: 1 });
  });
});

describe("the Worker's request id", () => {
  it("is logged as edge_request_id next to the origin's own request id", async () => {
    const id = "8f2a3b4c5d6e7f80-LHR";
    const res = await fromEdge(clipPath(episode, 60_000), id);
    expect(res.status).toBe(200);
    expect(lastLine()).toMatchObject({ edge_request_id: id, request_id: expect.stringMatching(/^req-/) });
  });

  it("is logged on refused requests too (the id is how an operator finds them)", async () => {
    const id = "0b0e7a1c-5a57-4f3c-9d6e-2c1f0e9d8b7a";
    const res = await t.request(clipPath(episode, 0), { headers: { "x-request-id": id } });
    expect(res.status).toBe(403);
    expect(lastLine()).toMatchObject({ edge_request_id: id });
  });

  it("is dropped whole, never cleaned, when it is not a plain token: no forged fields, no split lines", async () => {
    const crafted = [
      'abc", "level": "fatal", "x": "',
      'abc\n{"msg":"forged"}',
      "abc def",
      "a".repeat(129),
      "ümlaut",
      "",
    ];
    for (const id of crafted) {
      const res = await t.request(clipPath("no-such-episode", 0), { headers: { "x-request-id": id } });
      expect(res.status).toBe(403);
      const line = lastLine();
      expect(line).not.toHaveProperty("edge_request_id");
      expect(line.level).toBe("info");
      expect(JSON.stringify(line)).not.toContain("forged");
    }
    expect(t.logs.some((l) => l.msg === "forged" || l.level === "fatal")).toBe(false);
  });
});

describe("edgeRequestId", () => {
  it("keeps cf-ray ids, UUIDs and other plain tokens up to 128 characters, exactly", () => {
    for (const id of ["8f2a3b4c5d6e7f80-LHR", "0b0e7a1c-5a57-4f3c-9d6e-2c1f0e9d8b7a", "a.b:c_d-e", "x".repeat(128)]) {
      expect(edgeRequestId(id)).toBe(id);
    }
  });

  it("drops anything else", () => {
    for (const id of [undefined, "", "x".repeat(129), "a b", "a\tb", "a\r\nb", 'a"b', "a\\b", "a/b", "a\u2028b", "é"]) {
      expect(edgeRequestId(id)).toBeUndefined();
    }
  });
});
