import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readLocalStack } from "../../scripts/stack/published-stack.js";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { portIsFree } from "../shared/loopback-server.js";

// `npm start` killed hard (SIGKILL: an OOM kill, a closed CI runner) runs no cleanup of its own; its orphan
// watchdog must still stop wrangler, workerd, the origin and the local servers, so the next start finds its
// ports free.
const root = path.resolve(import.meta.dirname, "../..");

/** Whether the operator commands would still find this (dead) stack through its published file. */
async function stackStillPublished(file: string): Promise<boolean> {
  return (await readLocalStack({ ...process.env, EDGECLIP_STACK_FILE: file })) !== undefined;
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
      // Its own stack file: a developer's running `npm start` keeps its own.
      const stateDir = await mkdtemp(path.join(os.tmpdir(), "edgeclip-orphan-"));
      const file = path.join(stateDir, "local-stack.json");
      const stack = spawn(process.execPath, [...launcher, "scripts/start.ts"], {
        cwd: root,
        env: { ...process.env, EDGE_PORT: String(ports[0]), ORIGIN_PORT: String(ports[1]), EDGECLIP_STACK_FILE: file },
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
        if (free.every(Boolean) && !(await stackStillPublished(file))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(free).toEqual([true, true]);
      // warm, purge and episodes no longer find the dead stack.
      expect(await stackStillPublished(file)).toBe(false);
      await rm(stateDir, { recursive: true, force: true });
    },
    120_000,
  );
});
