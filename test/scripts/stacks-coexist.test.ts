import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { readLocalStack } from "../../scripts/stack/published-stack.js";
import { startStack } from "../../scripts/stack/stack.js";
import { runScript } from "./helpers/run-script.js";

// `npm start` beside the stacks `npm test` and `npm run bench` start: only npm start publishes, so the
// operator commands keep reaching it. Its stack file lives in a temp folder here (EDGECLIP_STACK_FILE), so a
// developer's own running `npm start` is not disturbed either.
const root = path.resolve(import.meta.dirname, "../..");
let dir = "";
let file = "";
let env: NodeJS.ProcessEnv = {};
let published: ChildProcess | undefined;

/** Runs scripts/start.ts as npm start does; resolves with its output once it is ready, or when it exits. */
function npmStart(ports: number[]): { child: ChildProcess; done: Promise<{ ready: boolean; output: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...env, EDGE_PORT: String(ports[0]), ORIGIN_PORT: String(ports[1]) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const done = new Promise<{ ready: boolean; output: string }>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Press Ctrl-C to stop.")) resolve({ ready: true, output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", () => resolve({ ready: false, output }));
  });
  return { child, done };
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "edgeclip-coexist-"));
  file = path.join(dir, "local-stack.json");
  env = { ...process.env, EDGECLIP_STACK_FILE: file, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const started = npmStart([await freeLoopbackPort(), await freeLoopbackPort()]);
  published = started.child;
  const { ready, output } = await started.done;
  if (!ready) throw new Error(`npm start did not come up:\n${output}`);
}, 180_000);

afterAll(async () => {
  await stop(published);
  await rm(dir, { recursive: true, force: true });
});

describe("npm start beside other stacks", () => {
  it("a stack started by the tests or the bench publishes nothing and leaves npm start's file and service intact", async () => {
    const before = await readFile(file, "utf8");
    const other = await startStack({
      edgePort: await freeLoopbackPort(),
      originPort: await freeLoopbackPort(),
      log: () => {},
    });
    expect(await readFile(file, "utf8")).toBe(before);
    await other.stop();
    expect(await readFile(file, "utf8")).toBe(before);
    const info = await readLocalStack(env);
    expect(info?.pid).toBeGreaterThan(0);
    const demo = await fetch(`${info?.edgeUrl}/api/v1/audio_clips/demo?start_time_ms=0&duration_ms=2000`);
    expect([demo.status, demo.headers.get("content-type")]).toEqual([200, "audio/mpeg"]);
  }, 180_000);

  it("the operator commands still reach npm start's stack afterwards", async () => {
    const list = await runScript("scripts/episodes.ts", ["list"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("demo");
  }, 120_000);

  it("a second npm start on the same stack file refuses, naming the running one, and changes nothing", async () => {
    const before = await readFile(file, "utf8");
    const info = await readLocalStack(env);
    const second = npmStart([await freeLoopbackPort(), await freeLoopbackPort()]);
    const { ready, output } = await second.done;
    expect(ready).toBe(false);
    expect(second.child.exitCode).not.toBe(0);
    expect(output).toContain(`another npm start is running (pid ${info?.pid}, edge ${info?.edgeUrl})`);
    expect(await readFile(file, "utf8")).toBe(before);
  }, 120_000);
});
