import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { ClipError, parseClipUrl } from "../../../core/index.js";
import { normalizeEvent } from "../../../origin/lambda/event.js";
import { httpApiEvent, restApiEvent } from "../helpers/api-gateway-event.js";

// The samples' own values where a test reads them (source IP, request ids, headers, the query).
function httpApiV2(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    ...httpApiEvent({
      path: "/api/v1/audio_clips/ep-42",
      query: "start_time_ms=754000&duration_ms=30000",
      headers: {
        "accept-encoding": "gzip",
        host: "id.execute-api.us-east-1.amazonaws.com",
        "x-edgeclip-timestamp": "1700000000",
        "x-edgeclip-signature": "v1=abc",
        header2: "value1,value2",
      },
      sourceIp: "192.0.2.1",
      userAgent: "agent",
      requestId: "id",
    }),
    cookies: ["cookie1", "cookie2"],
    stageVariables: { stageVariable1: "value1" },
    ...overrides,
  };
}

function restV1(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    ...restApiEvent({
      path: "/api/v1/audio_clips/ep-42",
      query: "start_time_ms=754000&duration_ms=30000",
      headers: {
        Host: "id.execute-api.us-east-1.amazonaws.com",
        "X-Edgeclip-Timestamp": "1700000000",
        header2: "value2",
      },
      multiValueHeaders: {
        Host: ["id.execute-api.us-east-1.amazonaws.com"],
        "X-Edgeclip-Timestamp": ["1700000000"],
        header2: ["value1", "value2"],
      },
      sourceIp: "192.0.2.1",
      requestId: "id=",
    }),
    ...overrides,
  };
}

describe("HTTP API (payload 2.0) events", () => {
  it("normalize to method, URL, case-insensitive headers and source IP", () => {
    const req = normalizeEvent(httpApiV2());
    expect(req.method).toBe("GET");
    expect(req.url.pathname).toBe("/api/v1/audio_clips/ep-42");
    expect(parseClipUrl(req.url)).toEqual({
      episodeId: "ep-42",
      startMs: 754000,
      endMs: 784000,
      durationMs: 30000,
      precise: false,
    });
    expect(req.header("X-EdgeClip-Timestamp")).toBe("1700000000");
    expect(req.header("missing")).toBeUndefined();
    expect(req.sourceIp).toBe("192.0.2.1");
    expect(req.requestId).toBe("id");
  });

  it("keep repeated parameters from rawQueryString, so the parser rejects them", () => {
    const req = normalizeEvent(
      httpApiV2({
        rawQueryString: "start_time_ms=1000&start_time_ms=2000&duration_ms=30000",
        queryStringParameters: { start_time_ms: "1000,2000", duration_ms: "30000" },
      }),
    );
    expect(req.url.searchParams.getAll("start_time_ms")).toEqual(["1000", "2000"]);
    expect(() => parseClipUrl(req.url)).toThrow(/start_time_ms must be given once/);
  });

  it("without rawQueryString, a comma-joined repeat still fails the digit check", () => {
    const event = httpApiV2({ queryStringParameters: { start_time_ms: "1000,2000", duration_ms: "30000" } });
    delete (event as { rawQueryString?: string }).rawQueryString;
    expect(() => parseClipUrl(normalizeEvent(event).url)).toThrow(ClipError);
  });

  it("strip a named stage from rawPath", () => {
    const base = httpApiV2();
    const req = normalizeEvent({
      ...base,
      rawPath: "/dev/api/v1/audio_clips/ep-42",
      requestContext: { ...base.requestContext, stage: "dev" },
    });
    expect(req.url.pathname).toBe("/api/v1/audio_clips/ep-42");
  });

  it("keep an encoded '?' in the path inside the episode id (where the parser rejects it)", () => {
    const req = normalizeEvent(httpApiV2({ rawPath: "/api/v1/audio_clips/ep%3F42" }));
    expect(() => parseClipUrl(req.url)).toThrow(/episode_id/);
  });
});

describe("REST API (payload 1.0) events", () => {
  it("normalize the same way, joining multi-value headers", () => {
    const req = normalizeEvent(restV1());
    expect(req.method).toBe("GET");
    expect(req.url.pathname).toBe("/api/v1/audio_clips/ep-42");
    expect(parseClipUrl(req.url).startMs).toBe(754000);
    expect(req.header("x-edgeclip-timestamp")).toBe("1700000000");
    expect(req.header("HEADER2")).toBe("value1, value2");
    expect(req.sourceIp).toBe("192.0.2.1");
  });

  it("detect repeated parameters through multiValueQueryStringParameters", () => {
    const req = normalizeEvent(
      restV1({
        queryStringParameters: { start_time_ms: "2000", duration_ms: "30000" },
        multiValueQueryStringParameters: { start_time_ms: ["1000", "2000"], duration_ms: ["30000"] },
      }),
    );
    expect(() => parseClipUrl(req.url)).toThrow(/start_time_ms must be given once/);
  });

  it("fall back to queryStringParameters when there are no multi-value ones", () => {
    const req = normalizeEvent(restV1({ multiValueQueryStringParameters: null }));
    expect(parseClipUrl(req.url).durationMs).toBe(30000);
  });

  it("escape a decoded '?' in the path instead of starting a query with it", () => {
    const req = normalizeEvent(restV1({ path: "/api/v1/audio_clips/ep?42" }));
    expect(req.url.pathname).toBe("/api/v1/audio_clips/ep%3F42");
    expect(req.url.searchParams.get("start_time_ms")).toBe("754000");
  });

  it("accept HTTP API payload 1.0 (version '1.0', same shape as REST)", () => {
    const req = normalizeEvent({ ...restV1(), version: "1.0" } as APIGatewayProxyEvent);
    expect(req.method).toBe("GET");
  });
});

it("anything else is an internal error that names the expected event types", () => {
  expect(() => normalizeEvent({ source: "aws.events" } as never)).toThrow(
    /API Gateway HTTP API \(payload 2\.0\) or REST/,
  );
});
