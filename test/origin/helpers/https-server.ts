import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { generate } from "selfsigned";
import { listenOnLoopback } from "../../shared/loopback-server.js";

/** A certificate made at test time for the test host names; never a committed key. */
export async function testCertificate(names: readonly string[]): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: "commonName", value: names[0] ?? "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    extensions: [{ name: "subjectAltName", altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return { key: pems.private, cert: pems.cert };
}

export interface TestFile {
  bytes: Buffer;
  etag: string;
}

/**
 * A real HTTPS server that serves byte ranges the way CDNs do, plus routes for the upstream faults an
 * https source can show: /missing (404), /error (500), /hang (no answer), /redirect?to= (302),
 * /norange (ignores Range and streams a huge body, counting what it managed to send).
 */
export interface TestHttpsServer {
  port: number;
  file: TestFile;
  /** Every connection the server accepted. */
  connections: number;
  /** Bytes of the /norange body (or of a range-ignoring answer) pushed before the client stopped reading. */
  ignoredRangeBytesSent: number;
  /** When set, even the file route answers 200 with the whole body (a host that stops honouring Range). */
  ignoreRange: boolean;
  /** Each answer closes its connection, so every request needs a new one (and a new DNS lookup). */
  closeConnections: boolean;
  /** Replaces the file (new bytes, new ETag), as a re-upload would. */
  replaceFile(bytes: Buffer): void;
  /** Resolves when every streamed body has finished or been cut off. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const HUGE = 256 * 1024 ** 2;

export async function startHttpsServer(tls: { key: string; cert: string }, file: Buffer): Promise<TestHttpsServer> {
  const streams = new Set<Promise<void>>();
  const state: TestHttpsServer = {
    port: 0,
    file: { bytes: file, etag: `"${randomBytes(8).toString("hex")}"` },
    connections: 0,
    ignoredRangeBytesSent: 0,
    ignoreRange: false,
    closeConnections: false,
    replaceFile(bytes) {
      state.file = { bytes, etag: `"${randomBytes(8).toString("hex")}"` };
    },
    settled: async () => {
      await Promise.all(streams);
    },
    close: async () => {},
  };

  /** A body of `length` zero bytes that is produced only as fast as the client reads it. */
  function streamHuge(res: ServerResponse, length: number): void {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const body = new Readable({
      read() {
        if (sent >= length) return void this.push(null);
        sent += chunk.length;
        state.ignoredRangeBytesSent += chunk.length;
        this.push(chunk);
      },
    });
    streams.add(
      new Promise<void>((resolve) => {
        res.once("close", resolve);
      }),
    );
    res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(length) });
    body.pipe(res);
  }

  function serveFile(req: IncomingMessage, res: ServerResponse): void {
    const { bytes, etag } = state.file;
    const ifMatch = req.headers["if-match"];
    if (ifMatch !== undefined && ifMatch !== etag) return void res.writeHead(412).end();
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (state.ignoreRange || !m) return streamHuge(res, state.ignoreRange ? HUGE : bytes.length);
    const first = Number(m[1]);
    const last = Math.min(m[2] === "" ? bytes.length - 1 : Number(m[2]), bytes.length - 1);
    if (first >= bytes.length) {
      return void res.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end();
    }
    res
      .writeHead(206, {
        "content-type": "audio/mpeg",
        "content-range": `bytes ${first}-${last}/${bytes.length}`,
        "content-length": String(last - first + 1),
        etag,
      })
      .end(bytes.subarray(first, last + 1));
  }

  const server = https.createServer(tls, (req, res) => {
    if (state.closeConnections) res.setHeader("connection", "close");
    const url = new URL(req.url ?? "/", "https://test");
    switch (url.pathname) {
      case "/audio.mp3":
        return serveFile(req, res);
      case "/norange":
        return streamHuge(res, HUGE);
      case "/missing":
        return void res.writeHead(404).end("not found");
      case "/error":
        return void res.writeHead(500).end("boom");
      case "/hang":
        return; // never answers
      case "/big":
        return void res
          .writeHead(206, { "content-range": `bytes 0-0/${3 * 1024 ** 3}`, "content-length": "1" })
          .end(Buffer.alloc(1));
      case "/redirect":
        return void res.writeHead(302, { location: url.searchParams.get("to") ?? "/" }).end();
      default:
        return void res.writeHead(404).end();
    }
  });
  server.on("connection", () => state.connections++);
  const listening = await listenOnLoopback(server);
  state.port = listening.port;
  state.close = listening.close;
  return state;
}
