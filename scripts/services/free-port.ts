import { readFileSync } from "node:fs";
import net from "node:net";

/**
 * The kernel's range for the local ports of outgoing connections. A port picked from it (what `listen(0)`
 * does) can be taken by any process's next outgoing connection before our server binds it: a stack whose
 * edge binds seconds after its port was picked then fails with "Address already in use" (seen in CI).
 */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low && high && low <= high) return { low, high };
  } catch {
    // Not Linux: the IANA range, which macOS and Windows use.
  }
  return { low: 49152, high: 65535 };
}

const FIRST_PORT = 10_000;

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(address !== null && typeof address === "object" ? address.port : undefined));
    });
  });
}

/**
 * A loopback TCP port that was free a moment ago, from below the ephemeral range, so no outgoing connection
 * can take it meanwhile (only another listener could; callers that lose that race retry). Falls back to one
 * the OS picks when the range leaves no room below it.
 */
export async function freeLoopbackPort(): Promise<number> {
  const { low } = ephemeralRange();
  const span = low - FIRST_PORT;
  for (let attempt = 0; span > 0 && attempt < 50; attempt++) {
    const port = await bindable(FIRST_PORT + Math.floor(Math.random() * span));
    if (port !== undefined) return port;
  }
  const port = await bindable(0);
  if (port === undefined) throw new Error("could not bind a loopback socket");
  return port;
}
