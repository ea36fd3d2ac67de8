import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { guardChild, releaseChild } from "../services/orphan-guard.js";

const root = path.resolve(import.meta.dirname, "../..");

export type Cleanups = (() => Promise<unknown>)[];

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Stops a process and everything it started (wrangler runs workerd as a child). */
function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    process.kill(-child.pid!, "SIGTERM");
  });
}

/**
 * The Worker in `wrangler dev` (workerd, local R2 and cache) on the given port, aimed at the local origin.
 * Its whole process group is registered with the orphan watchdog and stopped by the cleanup it pushes.
 */
export async function startWranglerDev(opts: {
  edgePort: number;
  originUrl: string;
  secret: string;
  edgeState: string;
  log: (line: string) => void;
  cleanups: Cleanups;
}): Promise<string> {
  const { edgePort, edgeState, log, cleanups, secret } = opts;
  const server = { url: opts.originUrl };
  log("edge: starting wrangler dev…");
  const wrangler = spawn(
    process.execPath,
    [
      path.join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(edgePort),
      "--var",
      `ORIGIN_URL:${server.url}`,
      "--var",
      `ORIGIN_SECRET:${secret}`,
      "--persist-to",
      edgeState,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  // Its whole process group (wrangler and workerd), also if we die without running the cleanups.
  const group = -(wrangler.pid ?? 0);
  if (group !== 0) guardChild(group);
  cleanups.push(() => killGroup(wrangler).then(() => group !== 0 && releaseChild(group)));
  let wranglerOutput = "";
  const keep = (chunk: Buffer) => {
    wranglerOutput = (wranglerOutput + chunk.toString()).slice(-4000);
  };
  wrangler.stdout?.on("data", keep);
  wrangler.stderr?.on("data", keep);
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  await waitForHttp(`${edgeUrl}/healthz`, wrangler, 60_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- wrangler dev output ---\n${wranglerOutput}`);
  });
  return edgeUrl;
}
