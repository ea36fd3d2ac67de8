/** A local HTTP server for the seek page and its clips, with the single-range answers media elements seek with. */
import { createServer, type Server } from "node:http";

export interface RangeServer {
  base: string;
  close(): Promise<void>;
}

export function serveFiles(page: string, files: ReadonlyMap<string, Uint8Array>): Promise<RangeServer> {
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? "/").split("?")[0]!.slice(1);
    if (name === "" || name === "page.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(page);
      return;
    }
    const body = files.get(name);
    if (!body) return void res.writeHead(404).end();
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    const headers = { "content-type": "audio/mpeg", "accept-ranges": "bytes" };
    if (!m) return void res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
    const start = m[1] ? Number(m[1]) : body.length - Number(m[2]);
    const end = m[1] && m[2] ? Math.min(body.length - 1, Number(m[2])) : body.length - 1;
    res
      .writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${end}/${body.length}`,
        "content-length": end - start + 1,
      })
      .end(body.subarray(start, end + 1));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ base: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}
