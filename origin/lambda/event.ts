import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";
import { ClipError } from "../../core/index.js";

/** The one request shape the rest of the origin sees; raw API Gateway events stop here. */
export interface OriginRequest {
  method: string;
  /** Path and query exactly as the client sent them, repeated parameters preserved. */
  url: URL;
  /** Case-insensitive header lookup. */
  header(name: string): string | undefined;
  sourceIp: string | undefined;
  requestId: string | undefined;
}

export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

type HeaderMap = Record<string, string | undefined> | null | undefined;
type MultiHeaderMap = Record<string, string[] | undefined> | null | undefined;

function headerGetter(single: HeaderMap, multi: MultiHeaderMap): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (const [key, values] of Object.entries(multi ?? {})) {
    if (values && values.length > 0) map.set(key.toLowerCase(), values.join(", "));
  }
  for (const [key, value] of Object.entries(single ?? {})) {
    if (value !== undefined && !map.has(key.toLowerCase())) map.set(key.toLowerCase(), value);
  }
  return (name) => map.get(name.toLowerCase());
}

/** The host only decorates the URL (auth and keys use the path), so a malformed one must not fail the request. */
function baseUrl(host: string | undefined): URL {
  try {
    // Only the origin: a Host header holding "?", "/" or "#" must not add query parameters (or a path) to the
    // request. REST events append their parameters to this URL, so `h?start_time_ms=5` used to become a
    // repeated start_time_ms and turn a valid request into a 400 (found by test/origin/fuzz-origin.test.ts).
    return new URL(new URL(`https://${host || "origin.invalid"}`).origin);
  } catch {
    return new URL("https://origin.invalid");
  }
}

function isV2(event: ApiGatewayEvent): event is APIGatewayProxyEventV2 {
  return (event as { version?: unknown }).version === "2.0";
}

function isV1(event: ApiGatewayEvent): event is APIGatewayProxyEvent {
  return typeof (event as { httpMethod?: unknown }).httpMethod === "string";
}

function fromV2(event: APIGatewayProxyEventV2): OriginRequest {
  const ctx = event.requestContext;
  const header = headerGetter(event.headers, undefined);
  // With a named (non-$default) stage, HTTP APIs put the stage in rawPath; routes never include it.
  let path = event.rawPath || ctx.http.path;
  const stagePrefix = `/${ctx.stage}/`;
  if (ctx.stage && ctx.stage !== "$default" && path.startsWith(stagePrefix)) path = path.slice(stagePrefix.length - 1);
  const url = baseUrl(header("host") ?? ctx.domainName);
  url.pathname = path;
  if (event.rawQueryString !== undefined) {
    // rawQueryString keeps repeated parameters, which queryStringParameters would join with commas.
    url.search = event.rawQueryString;
  } else {
    // Hand-made test events may lack rawQueryString; a comma-joined repeat still fails the digit check.
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
      if (v !== undefined) url.searchParams.append(k, v);
    }
  }
  return {
    method: ctx.http.method.toUpperCase(),
    url,
    header,
    sourceIp: ctx.http.sourceIp,
    requestId: ctx.requestId,
  };
}

function fromV1(event: APIGatewayProxyEvent): OriginRequest {
  const ctx = event.requestContext;
  const header = headerGetter(event.headers, event.multiValueHeaders);
  const url = baseUrl(header("host") ?? ctx?.domainName);
  // REST `path` is the resource path without the stage. Assigning pathname (rather than parsing a URL
  // string) escapes a decoded '?' or '#' instead of letting it start a query or fragment.
  url.pathname = event.path;
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [k, values] of Object.entries(multi)) for (const v of values ?? []) url.searchParams.append(k, v);
  } else {
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
      if (v !== undefined) url.searchParams.append(k, v);
    }
  }
  return {
    method: event.httpMethod.toUpperCase(),
    url,
    header,
    sourceIp: ctx?.identity?.sourceIp ?? undefined,
    requestId: ctx?.requestId,
  };
}

/** Turns an API Gateway HTTP API (payload 2.0) or REST / payload 1.0 event into an OriginRequest. */
export function normalizeEvent(event: ApiGatewayEvent): OriginRequest {
  if (isV2(event)) return fromV2(event);
  if (isV1(event)) return fromV1(event);
  throw new ClipError(
    "internal",
    "Unsupported Lambda event: expected an API Gateway HTTP API (payload 2.0) or REST (payload 1.0) proxy event",
  );
}
