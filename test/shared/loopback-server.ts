import type { Server as HttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";

export interface Loopback {
  port: number;
  /** `http://127.0.0.1:<port>` (an https server's callers build their own URL from the port). */
  url: string;
  /** Stops listening; an HTTP server's open connections are cut too, so a hanging answer cannot hold it. */
  close(): Promise<void>;
}

/** Starts a test's server on 127.0.0.1 (port 0: the OS picks a free one; a given port: a restart there). */
export async function listenOnLoopback(server: Server, port = 0): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Partial<HttpServer>).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Whether nothing listens on this loopback port (a stack that stopped must have freed its ports). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
