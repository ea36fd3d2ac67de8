import { readFileSync } from "node:fs";
import net from "node:net";
import { expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";

// A port from the ephemeral range can be taken by any outgoing connection between picking it and binding it
// (a stack's edge failed to start with "Address already in use" in CI that way): picked ports stay below it.
it("hands out bindable loopback ports below the kernel's ephemeral range", async () => {
  const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  const ports = await Promise.all(Array.from({ length: 20 }, () => freeLoopbackPort()));
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(low);
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(ports[0], "127.0.0.1", resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
