import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LocalStack {
  /** The edge's base URL, ending in "/". */
  edgeUrl: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** `npm start`'s whole stack in a child process on free ports, with its own stack file; resolves once it serves. */
export async function startLocalStack(): Promise<LocalStack> {
  const ports = [await freePort(), await freePort()];
  let output = "";
  const stack: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/start.ts"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        EDGE_PORT: String(ports[0]),
        ORIGIN_PORT: String(ports[1]),
        EDGECLIP_STACK_FILE: path.join(os.tmpdir(), `edgeclip-studio-test-${process.pid}.json`),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const edgeUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start in 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /player page\s+(\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1] as string);
      }
    };
    stack.stdout?.on("data", onData);
    stack.stderr?.on("data", onData);
    stack.once("exit", (code) => reject(new Error(`the stack exited with ${code}:\n${output}`)));
  });
  return {
    edgeUrl,
    output: () => output,
    stop() {
      if (stack.exitCode !== null) return Promise.resolve(stack.exitCode);
      const exited = new Promise<number | null>((resolve) => stack.once("exit", (code) => resolve(code)));
      stack.kill("SIGINT");
      return exited;
    },
  };
}
