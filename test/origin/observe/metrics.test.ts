import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../../core/index.js";
import { emfMembers, withMetrics } from "../../../origin/observe/metrics.js";
import { writeLog } from "../../../origin/observe/request-log.js";
import { declaredMetrics, emfProblems } from "../helpers/emf.js";

const NOW = Date.now();
const NS = "edgeclip/test";

/** The fields origin.ts and the cut step put on one request's line. */
const generated = {
  level: "info",
  msg: "clip request",
  request_id: "req-1",
  status: 200,
  outcome: "generated",
  generation_time_ms: 412,
  source_bytes_read: 480_000,
  source_requests: 2,
  cut_method: "frames",
  clip_bytes: 470_000,
  duration_ms: 415,
};
const hit = {
  level: "info",
  msg: "clip request",
  status: 200,
  outcome: "hit",
  generation_time_ms: 31,
  duration_ms: 33,
};
const notFound = {
  level: "info",
  msg: "clip request",
  status: 404,
  outcome: "error",
  code: "episode_not_found",
  error: "Episode x not found",
  duration_ms: 12,
};

/** Only the log line as CloudWatch receives it counts: build, serialize, parse. */
function line(fields: Record<string, unknown>): Record<string, unknown> {
  let out = "";
  writeLog((l) => (out = l), withMetrics(fields, NS, NOW));
  return JSON.parse(out) as Record<string, unknown>;
}

describe("EMF members of the request log line", () => {
  it("a generated clip: every metric, without dimension and RequestTime by Outcome", () => {
    const l = line(generated);
    expect(emfProblems(l)).toEqual([]);
    expect(l).toMatchObject({
      RequestTime: 415,
      GenerationTime: 412,
      Hit: 0,
      Miss: 1,
      Errors: 0,
      SourceBytesRead: 480_000,
      ClipBytes: 470_000,
      Outcome: "generated",
    });
    expect(l._aws).toEqual({
      Timestamp: NOW,
      CloudWatchMetrics: [
        {
          Namespace: NS,
          Dimensions: [[]],
          Metrics: [
            { Name: "RequestTime", Unit: "Milliseconds" },
            { Name: "GenerationTime", Unit: "Milliseconds" },
            { Name: "Hit", Unit: "Count" },
            { Name: "Miss", Unit: "Count" },
            { Name: "Errors", Unit: "Count" },
            { Name: "SourceBytesRead", Unit: "Bytes" },
            { Name: "ClipBytes", Unit: "Bytes" },
          ],
        },
        { Namespace: NS, Dimensions: [["Outcome"]], Metrics: [{ Name: "RequestTime", Unit: "Milliseconds" }] },
      ],
    });
    expect(l).not.toHaveProperty("ErrorCode");
  });

  it("keeps every field of the line as it was", () => {
    const l = line(generated);
    expect(l).toMatchObject(generated);
    expect(withMetrics(generated, NS, NOW)).not.toBe(generated);
    expect(generated).not.toHaveProperty("_aws");
  });

  it("a hit: Hit 1, Miss 0, no GenerationTime and no byte metrics (nothing was cut)", () => {
    const l = line(hit);
    expect(emfProblems(l)).toEqual([]);
    expect(l).toMatchObject({ RequestTime: 33, Hit: 1, Miss: 0, Errors: 0, Outcome: "hit" });
    expect([...declaredMetrics(l)].sort()).toEqual(["Errors", "Hit", "Miss", "RequestTime"]);
    expect(l).not.toHaveProperty("GenerationTime");
  });

  it("an error: Errors 1, by ErrorCode too; neither a hit nor a miss", () => {
    const l = line(notFound);
    expect(emfProblems(l)).toEqual([]);
    expect(l).toMatchObject({ RequestTime: 12, Errors: 1, Outcome: "error", ErrorCode: "episode_not_found" });
    expect(l).not.toHaveProperty("Hit");
    expect(l).not.toHaveProperty("Miss");
    const directives = (l._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] })
      .CloudWatchMetrics;
    expect(directives.map((d) => [d.Dimensions, d.Metrics.map((m) => m.Name)])).toEqual([
      [[[]], ["RequestTime", "Errors"]],
      [[["Outcome"]], ["RequestTime"]],
      [[["ErrorCode"]], ["Errors"]],
    ]);
  });

  it("a cut that failed still reports the source bytes it read, and never GenerationTime", () => {
    const failedCut = { ...notFound, code: "unprocessable_source", status: 422, source_bytes_read: 65_536 };
    const l = line({ ...failedCut, generation_time_ms: 99 });
    expect(emfProblems(l)).toEqual([]);
    expect(l).toMatchObject({ SourceBytesRead: 65_536, Errors: 1 });
    expect(l).not.toHaveProperty("GenerationTime");
  });

  it("cardinality stays fixed: 3 outcomes, and error codes only from core's closed set", () => {
    const codes = new Set<string>();
    for (const code of [...Object.keys(ERROR_STATUS), "Episode 123 missing", "x".repeat(500), 42, undefined]) {
      const members = emfMembers({ outcome: "error", code, duration_ms: 1 }, NS, NOW);
      codes.add(String(members?.ErrorCode));
    }
    expect(codes).toEqual(new Set([...Object.keys(ERROR_STATUS), "unknown"]));
    expect(emfMembers({ outcome: "warm", duration_ms: 1 }, NS, NOW)).toBeUndefined();
  });

  it("a line that is not a finished request gets no metrics (the start-up line, a line without a duration)", () => {
    const ready = { level: "info", msg: "origin ready", ffmpeg: "/usr/bin/ffmpeg" };
    expect(withMetrics(ready, NS, NOW)).toBe(ready);
    expect(emfMembers({ outcome: "hit" }, NS, NOW)).toBeUndefined();
    expect(emfMembers({ outcome: "hit", duration_ms: Number.NaN }, NS, NOW)).toBeUndefined();
  });

  it("a value that is not a finite number is left out rather than published", () => {
    const l = line({ ...generated, clip_bytes: "470000", source_bytes_read: Number.POSITIVE_INFINITY });
    expect(emfProblems(l)).toEqual([]);
    expect(l).not.toHaveProperty("ClipBytes");
    expect(l).not.toHaveProperty("SourceBytesRead");
  });

  it("the checker itself catches the mistakes CloudWatch would silently drop a line for", () => {
    const good = line(generated);
    const aws = good._aws as { Timestamp: number; CloudWatchMetrics: { Metrics: object[]; Dimensions: string[][] }[] };
    expect(emfProblems({ ...good, RequestTime: "415" })).toEqual([
      expect.stringContaining("metric RequestTime needs a top-level number"),
      expect.stringContaining("metric RequestTime needs a top-level number"),
    ]);
    expect(emfProblems({ ...good, Outcome: undefined })[0]).toMatch(/dimension Outcome needs a top-level string/);
    expect(emfProblems({ ...good, _aws: { ...aws, Timestamp: Math.floor(NOW / 1000) } })[0]).toMatch(/is not now/);
    const badUnit = {
      ...aws,
      CloudWatchMetrics: [{ ...aws.CloudWatchMetrics[0], Metrics: [{ Name: "Hit", Unit: "Hits" }] }],
    };
    expect(emfProblems({ ...good, _aws: badUnit })).toEqual([expect.stringContaining("unknown unit Hits")]);
  });
});
