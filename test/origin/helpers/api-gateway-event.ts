import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

// API Gateway's Lambda events for our route, shaped like the samples in AWS's "Working with AWS Lambda proxy
// integrations for HTTP APIs" (payload 2.0 and 1.0) and the REST API proxy integration input format.
export const API_HOST = "abc123.execute-api.us-east-1.amazonaws.com";
export const CLIP_ROUTE = "GET /api/v1/audio_clips/{episode_id}";
const CLIP_RESOURCE = "/api/v1/audio_clips/{episode_id}";

export interface EventInit {
  method?: string;
  /** The path as the client sent it (for a REST event: as API Gateway decoded it). */
  path: string;
  /** The query string without "?", exactly as sent. */
  query?: string;
  headers?: Record<string, string>;
  sourceIp?: string;
  requestId?: string;
  stage?: string;
}

const episodeParam = (path: string) => ({ episode_id: path.split("/").pop() ?? "" });

/** An HTTP API (payload 2.0) event; queryStringParameters join repeats with commas, as API Gateway does. */
export function httpApiEvent(init: EventInit & { routeKey?: string; userAgent?: string }): APIGatewayProxyEventV2 {
  const { method = "GET", path, query = "", headers = {}, routeKey = CLIP_ROUTE, stage = "$default" } = init;
  const joined = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(query)) joined.set(k, joined.has(k) ? `${joined.get(k)},${v}` : v);
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString: query,
    headers,
    queryStringParameters: Object.fromEntries(joined),
    pathParameters: episodeParam(path),
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: API_HOST,
      domainPrefix: "abc123",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: init.sourceIp ?? "203.0.113.7",
        userAgent: init.userAgent ?? "edgeclip-worker",
      },
      requestId: init.requestId ?? `req-${randomUUID()}`,
      routeKey,
      stage,
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/** A REST API (payload 1.0) event: parameters grouped into the multi-value map as API Gateway does. */
export function restApiEvent(init: EventInit & { multiValueHeaders?: Record<string, string[]> }): APIGatewayProxyEvent {
  const { method = "GET", path, query = "", headers = {}, stage = "prod" } = init;
  // A Map, not an object: a parameter may be called "__proto__".
  const grouped = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  return {
    resource: CLIP_RESOURCE,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: init.multiValueHeaders ?? {},
    queryStringParameters: Object.fromEntries([...grouped].map(([k, vs]) => [k, vs[vs.length - 1]])),
    multiValueQueryStringParameters: Object.fromEntries(grouped),
    pathParameters: episodeParam(path),
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      authorizer: undefined,
      domainName: API_HOST,
      domainPrefix: "abc123",
      httpMethod: method,
      identity: identity(init.sourceIp ?? "203.0.113.7"),
      path: `/${stage}${path}`,
      protocol: "HTTP/1.1",
      requestId: init.requestId ?? `req-${randomUUID()}`,
      requestTimeEpoch: Date.now(),
      resourceId: "abc123",
      resourcePath: CLIP_RESOURCE,
      stage,
    },
  };
}

function identity(sourceIp: string): APIGatewayProxyEvent["requestContext"]["identity"] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent: "edgeclip-worker",
    userArn: null,
  };
}

/** The event API Gateway sends for a Worker's request to GET /api/v1/audio_clips/{episode_id}. */
export function v2Event(pathAndQuery: string, headers: Record<string, string>, method = "GET"): APIGatewayProxyEventV2 {
  const url = new URL(pathAndQuery, `https://${API_HOST}`);
  return httpApiEvent({
    method,
    path: url.pathname,
    query: url.search.slice(1),
    headers: { host: url.host, "user-agent": "edgeclip-worker", ...headers },
  });
}
