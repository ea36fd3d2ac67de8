import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startLocalStack, type LocalStack } from "./helpers/local-stack.js";

// A person's path through the clip studio (#17): `npm start`'s stack and Debian's Chromium, at desktop and
// phone width; screenshots go to artifacts/ (git-ignored).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it`);
const ARTIFACTS = path.join(ROOT, "artifacts");

let stack: LocalStack | undefined;
let browser: Browser | undefined;

async function loaded(page: Page): Promise<void> {
  await page.getByRole("heading", { name: "edgeclip demo" }).waitFor();
  // The waveform is drawn: some pixels of the canvas are painted.
  await page.waitForFunction(() => {
    const canvas = document.getElementById("wave") as HTMLCanvasElement;
    const pixels = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
    return painted > canvas.width * 4;
  });
}

const meta = (page: Page, key: string) =>
  page.locator(`meta[property="${key}"], meta[name="${key}"]`).getAttribute("content");

describe.skipIf(!haveChromium)("clip studio in Chromium through the local stack", () => {
  beforeAll(async () => {
    stack = await startLocalStack();
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
    await mkdir(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("picks the demo episode, drags and types a range, previews it, copies the link and opens the share page", async () => {
    const edge = (stack as LocalStack).edgeUrl;
    const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(edge).origin });
    const page = await context.newPage();
    await page.goto(edge);
    await page.getByLabel("Episode id").fill("demo");
    await page.getByRole("button", { name: "Load episode" }).click();
    await loaded(page);

    // Drag across the waveform from 10 % to 20 % of the 3-minute episode: 0:18 to 0:36.
    const box = (await page.locator("#wave").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    expect(await page.getByLabel("Start (m:ss)").inputValue()).toBe("0:18.0");
    expect(await page.getByLabel("End (m:ss)").inputValue()).toBe("0:36.0");

    // Then by keyboard only: type the times, and move the clip by a second with the arrow key on the waveform.
    await page.getByLabel("Start (m:ss)").focus();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("0:20");
    await page.keyboard.press("Tab");
    await page.getByLabel("End (m:ss)").focus();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("0:28");
    await page.keyboard.press("Tab");
    await page.locator("#wave").focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.textContent("#selection-label")).toBe("Clip 0:21.0–0:29.0 (8.0 s)");
    const clipUrl = `${edge}api/v1/audio_clips/demo?start_time_ms=21000&duration_ms=8000`;
    expect(await page.getByLabel("Clip URL").inputValue()).toBe(clipUrl);

    await page.getByRole("button", { name: "Preview clip" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => {
      const audio = document.querySelector("audio") as HTMLAudioElement;
      return audio.readyState >= 1 && audio.currentTime > 0.3;
    });
    const media = await page.evaluate(() => {
      const audio = document.querySelector("audio") as HTMLAudioElement;
      return { duration: audio.duration, error: audio.error?.code ?? null, src: audio.currentSrc };
    });
    expect(media).toMatchObject({ error: null, src: clipUrl });
    expect(Math.abs(media.duration - 8)).toBeLessThanOrEqual(0.1);

    await page.getByRole("button", { name: "Copy share link" }).click();
    // The page says so once the clipboard write has resolved, a moment after the click.
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 30_000 }).toBe("Copied the share link.");
    const shareUrl = `${edge}c/demo?start_time_ms=21000&duration_ms=8000`;
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);
    expect(await page.getByLabel("Embed snippet").inputValue()).toContain(`src="${shareUrl}&embed=1"`);
    await page.screenshot({ path: path.join(ARTIFACTS, "studio-desktop.png"), fullPage: true });

    await page.goto(shareUrl);
    expect(await meta(page, "og:title")).toBe("edgeclip demo, 0:21–0:29");
    expect(await meta(page, "og:audio")).toBe(clipUrl);
    expect(await meta(page, "og:audio:type")).toBe("audio/mpeg");
    expect(await meta(page, "twitter:player")).toBe(`${shareUrl}&embed=1`);
    expect(await page.locator("svg.wave path").count()).toBe(1);
    await page.evaluate(() => (document.querySelector("audio") as HTMLAudioElement).play());
    await page.waitForFunction(() => (document.querySelector("audio") as HTMLAudioElement).currentTime > 0.3);
    const shared = await page.evaluate(() => (document.querySelector("audio") as HTMLAudioElement).duration);
    expect(Math.abs(shared - 8)).toBeLessThanOrEqual(0.1);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-desktop.png"), fullPage: true });
    await context.close();
  });

  it("fits a phone's width: nothing scrolls sideways and the controls stay usable", async () => {
    const edge = (stack as LocalStack).edgeUrl;
    const context = await (browser as Browser).newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${edge}?episode=demo`);
    await loaded(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const name of ["Preview clip", "Copy clip URL", "Copy share link", "Copy embed snippet"]) {
      const button = (await page.getByRole("button", { name }).boundingBox())!;
      expect(button.x + button.width).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, "studio-phone.png"), fullPage: true });
    await page.goto(`${edge}c/demo?start_time_ms=21000&duration_ms=8000`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-phone.png"), fullPage: true });
    await context.close();
  });
});
