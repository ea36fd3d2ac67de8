import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCAL_STACK_FILE } from "../../scripts/episodes/target.js";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";

// `npm start` killed hard (SIGKILL: an OOM kill, a closed CI runner) runs no cleanup of its own; its orphan
// watchdog must still stop wrangler, workerd, the origin and the local servers, so the next start finds its
// ports free.
const root = path.resolve(import.meta.dirname, "../..");

/** Whether the local stack file points at this edge port. */
async function stackFileNames(edgePort: number): Promise<boolean> {
  try {
    return (
      (JSON.parse(await readFile(LOCAL_STACK_FILE, "utf8")) as { edgeUrl?: string }).edgeUrl?.endsWith(
        `:${edgePort}`,
      ) ?? false
    );
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe("npm start killed with SIGKILL", () => {
  it.each([
    // tsx's launcher runs start.ts in a child process, which must notice that its parent is gone.
    ["its launcher (tsx's cli, as npm start runs it)", [path.join(root, "node_modules/tsx/dist/cli.mjs")]],
    // start.ts itself: no code of its own runs, the orphan watchdog stops wrangler's process group.
    ["start.ts itself", ["--import", "tsx"]],
  ])(
    "%s: leaves no server behind, the ports free again within seconds",
    async (_, launcher) => {
      const ports = [await freeLoopbackPort(), await freeLoopbackPort()] as const;
      const stack = spawn(process.execPath, [...launcher, "scripts/start.ts"], {
        cwd: root,
        env: { ...process.env, EDGE_PORT: String(ports[0]), ORIGIN_PORT: String(ports[1]) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the stack did not start in 90 s:\n${output}`)), 90_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (/player page\s+\S+/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        };
        stack.stdout.on("data", onData);
        stack.stderr.on("data", onData);
        stack.once("exit", (code) => reject(new Error(`the stack exited with ${code}:\n${output}`)));
      });
      for (const port of ports) expect(await portIsFree(port)).toBe(false);

      const exited = new Promise((resolve) => stack.once("exit", resolve));
      stack.kill("SIGKILL");
      await exited;
      // The watchdog sends SIGTERM, then SIGKILL and removes registered files after 3 s.
      let free: boolean[] = [];
      for (let waited = 0; waited < 10_000; waited += 250) {
        free = await Promise.all(ports.map(portIsFree));
        if (free.every(Boolean) && !(await stackFileNames(ports[0]))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(free).toEqual([true, true]);
      // The stack file that warm, purge and episodes read went with it (another test's stack may have
      // written its own since: only one naming our dead edge would be stale).
      expect(await stackFileNames(ports[0])).toBe(false);
    },
    120_000,
  );
});
