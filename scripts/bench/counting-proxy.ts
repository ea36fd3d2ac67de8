// A loopback HTTP proxy in front of the S3 server that counts the bytes each GET returns, so the
// benchmark measures source bytes on the wire rather than trusting the code under test to report them.
// Hand-written on node:http: forwarding with the Host header untouched keeps SigV4 signatures valid,
// which a general proxy library would not guarantee.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  /** Base URL to use as the S3 endpoint. */
  url: string;
  /** Bytes of GET response bodies since the last reset, except under `ignorePrefix`. */
  bytes(): number;
  requests(): number;
  /** Every request through the proxy since the last reset, by method (the cost table's S3 operations). */
  ops(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** `ignorePrefix`: a path prefix (e.g. `/clips-bucket/audio_clips/`) whose downloads are not source reads. */
export async function startCountingProxy(target: string, ignorePrefix: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let bytes = 0;
  let requests = 0;
  let ops: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    ops[method] = (ops[method] ?? 0) + 1;
    const counted = req.method === "GET" && !(req.url ?? "").startsWith(ignorePrefix);
    if (counted) requests++;
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        // Connection is hop-by-hop (RFC 9110 §7.6.1): versitygw closes every connection it answers, and passing that
        // on would make the client open a new connection to this proxy for every request too.
        const { connection: _hopByHop, ...headers } = answer.headers;
        res.writeHead(answer.statusCode ?? 502, headers);
        let sent = 0;
        answer.on("data", (chunk: Buffer) => {
          sent += chunk.length;
          if (counted) bytes += chunk.length;
        });
        // A client that hangs up early (FFmpeg seeking) stops the transfer, as S3 would. Only then: destroying
        // a finished answer would also close its keep-alive connection to S3, and every request would pay a connect.
        res.on("close", () => {
          if (!answer.complete) answer.destroy();
          if (process.env.EDGECLIP_BENCH_PROXY_LOG) {
            process.stderr.write(
              `proxy: ${req.method} ${req.url?.split("?")[0]} ${req.headers.range ?? ""} → ${sent} B\n`,
            );
          }
        });
        answer.pipe(res);
      },
    );
    out.on("error", (err) => {
      res.destroy(err);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => bytes,
    requests: () => requests,
    ops: () => ({ ...ops }),
    reset() {
      bytes = 0;
      requests = 0;
      ops = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
