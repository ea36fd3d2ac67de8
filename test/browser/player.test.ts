import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { portIsFree } from "../shared/loopback-server.js";

// The newcomer's path for real: `npm start`'s stack (local servers, origin, wrangler dev) in a child
// process, and Debian's Chromium playing a clip from the player page (/player; the studio is the root).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = path.resolve(import.meta.dirname, "../..");
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it`);
if (!haveChromium)
  console.warn(`[browser] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

let stack: ChildProcess | undefined;
let output = "";
let edgeUrl = "";
let ports: number[] = [];
let browser: Browser | undefined;

describe.skipIf(!haveChromium)("player page in Chromium through the local stack", () => {
  beforeAll(async () => {
    ports = [await freeLoopbackPort(), await freeLoopbackPort()];
    stack = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/start.ts"], {
      cwd: root,
      // Its own stack file, so a developer's running `npm start` stays the one operator commands reach.
      env: {
        ...process.env,
        EDGE_PORT: String(ports[0]),
        ORIGIN_PORT: String(ports[1]),
        EDGECLIP_STACK_FILE: path.join(os.tmpdir(), `edgeclip-browser-test-${process.pid}.json`),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stack did not start in 90 s:\n${output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /player page\s+(\S+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          edgeUrl = ready[1] as string;
          resolve();
        }
      };
      stack?.stdout?.on("data", onData);
      stack?.stderr?.on("data", onData);
      stack?.once("exit", (code) => reject(new Error(`the stack exited with ${code}:\n${output}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    if (stack && stack.exitCode === null) {
      stack.kill("SIGKILL");
    }
  });

  it("plays a clip from the edge with the right duration, then serves it again from the edge cache", async () => {
    const page = await (browser as Browser).newPage();
    await page.goto(`${edgeUrl}player`);
    await expect(page.getByRole("heading", { name: "edgeclip" }).isVisible()).resolves.toBe(true);
    await page.getByLabel("Episode id").fill("demo");
    // A start no earlier run has used, so the first answer must be a generation.
    const startMs = 10_000 + Math.floor(Math.random() * 150_000);
    await page.getByLabel("Start (seconds)").fill(String(startMs / 1000));
    await page.getByLabel("Duration (seconds)").fill("8");
    await page.getByRole("button", { name: "Play clip" }).click();
    await page.waitForFunction(() => !["…", "–"].includes(document.getElementById("layer")?.textContent ?? "–"));
    expect(await page.textContent("#error")).toBe("");
    expect(await page.textContent("#layer")).toBe("generated");
    expect(await page.textContent("#url")).toBe(
      `${edgeUrl}api/v1/audio_clips/demo?start_time_ms=${startMs}&duration_ms=8000`,
    );
    // The element must really play: metadata loaded, time advancing, no media error.
    await page.waitForFunction(() => {
      const audio = document.querySelector("audio") as HTMLAudioElement;
      return audio.readyState >= 1 && audio.currentTime > 0.3;
    });
    const media = await page.evaluate(() => {
      const audio = document.querySelector("audio") as HTMLAudioElement;
      return { duration: audio.duration, error: audio.error?.code ?? null };
    });
    expect(media.error).toBeNull();
    expect(Math.abs(media.duration - 8)).toBeLessThanOrEqual(0.1);
    await mkdir(path.join(root, "artifacts"), { recursive: true });
    await page.screenshot({ path: path.join(root, "artifacts", "player.png"), fullPage: true });

    // The edge fills its cache after answering (waitUntil): allow it a moment, never a regeneration.
    const layers: string[] = [];
    for (let attempt = 0; attempt < 5 && layers.at(-1) !== "edge-cache"; attempt++) {
      await page.waitForTimeout(300);
      await page.evaluate(() => (document.getElementById("layer") as HTMLElement).replaceChildren("…"));
      await page.getByRole("button", { name: "Play clip" }).click();
      await page.waitForFunction(() => document.getElementById("layer")?.textContent !== "…");
      layers.push((await page.textContent("#layer")) ?? "");
    }
    expect(layers.at(-1)).toBe("edge-cache");
    expect(layers).not.toContain("generated");
  });

  it("stops everything on Ctrl-C and frees its ports", async () => {
    const exited = new Promise<number | null>((resolve) => stack?.once("exit", (code) => resolve(code)));
    stack?.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("stopped.");
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });
});
