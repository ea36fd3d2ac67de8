import { CLIP_ROUTE_KEY } from "../../core/index.js";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Origin } from "../origin.js";

/**
 * A thin stand-in for API Gateway's HTTP API on loopback: each request becomes the payload-2.0 event
 * API Gateway would send, so the origin runs exactly the code it runs in Lambda.
 */
export interface LocalOriginServer {
  url: string;
  close(): Promise<void>;
}

const ROUTE_KEY = CLIP_ROUTE_KEY;
// API Gateway's integration timeout; the handler's own deadline logic works against it.
const LAMBDA_TIMEOUT_MS = 29_000;

export function toV2Event(req: IncomingMessage, host: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", `http://${host}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const method = req.method ?? "GET";
  return {
    version: "2.0",
    routeKey: ROUTE_KEY,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.fromEntries(url.searchParams),
    pathParameters: { episode_id: decodeURIComponent(url.pathname.split("/").pop() ?? "") },
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: host,
      domainPrefix: "local",
      http: {
        method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: ROUTE_KEY,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

export async function startLocalOrigin(
  origin: Origin,
  opts: { port?: number; host?: string } = {},
): Promise<LocalOriginServer> {
  const host = opts.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const deadline = Date.now() + LAMBDA_TIMEOUT_MS;
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    origin
      .handle(toV2Event(req, req.headers.host ?? host), context as never)
      .then((answer) => {
        res.writeHead(answer.statusCode, answer.headers as Record<string, string> | undefined);
        // API Gateway turns a base64 payload (a clip's bytes) back into binary on the wire.
        res.end(answer.isBase64Encoded ? Buffer.from(answer.body, "base64") : answer.body);
      })
      .catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "internal", message: String(err) } }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
