// The counting proxy's server, run in its own thread by counting-proxy.ts (see there why). Hand-written on
// node:http: forwarding with the Host header untouched keeps SigV4 signatures valid, which a general proxy
// library would not guarantee.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { COUNTER, METHODS, type ProxyThreadData } from "./counting-proxy.js";

const { target, ignorePrefix, counters } = workerData as ProxyThreadData;
const upstream = new URL(target);
const count = new BigInt64Array(counters);
const add = (slot: number, n: number) => Atomics.add(count, slot, BigInt(n));

const server = http.createServer((req, res) => {
  const method = req.method ?? "GET";
  const known = METHODS.indexOf(method as (typeof METHODS)[number]);
  add(COUNTER.methods + (known < 0 ? METHODS.length : known), 1);
  const counted = method === "GET" && !(req.url ?? "").startsWith(ignorePrefix);
  if (counted) add(COUNTER.requests, 1);
  const out = http.request(
    { host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers },
    (answer) => {
      // Connection is hop-by-hop (RFC 9110 §7.6.1): versitygw closes every connection it answers, and passing that
      // on would make the client open a new connection to this proxy for every request too.
      const { connection: _hopByHop, ...headers } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, headers);
      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        sent += chunk.length;
        if (counted) add(COUNTER.bytes, chunk.length);
      });
      // A client that hangs up early (FFmpeg seeking) stops the transfer, as S3 would. Only then: destroying
      // a finished answer would also close its keep-alive connection to S3, and every request would pay a connect.
      res.on("close", () => {
        if (!answer.complete) answer.destroy();
        if (process.env.EDGECLIP_BENCH_PROXY_LOG) {
          process.stderr.write(`proxy: ${method} ${req.url?.split("?")[0]} ${req.headers.range ?? ""} → ${sent} B\n`);
        }
      });
      answer.pipe(res);
    },
  );
  out.on("error", (err) => res.destroy(err));
  req.pipe(out);
});

server.listen(0, "127.0.0.1", () => {
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
});
parentPort!.on("message", (message: unknown) => {
  if (message !== "close") return;
  server.closeAllConnections();
  server.close(() => parentPort!.close());
});
