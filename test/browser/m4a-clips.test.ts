import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesSource } from "../../core/mp3/byte-source.js";
import { cutAacClip } from "../../core/mp4/aac-cut.js";
import { buildAacIndex } from "../../core/mp4/aac-index.js";
import { buildAdtsIndex } from "../../core/mp4/adts-index.js";
import { aacFixtureBytes, type AacFixtureName } from "../core/mp4/fixtures.js";

// Chromium plays M4A clips as the edge serves them (audio/mp4) and reports the edit list's duration.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs it`);

const clips = new Map<string, Uint8Array>();
let server: Server;
let base = "";
let browser: Browser | undefined;

describe.skipIf(!haveChromium)("M4A clips in Chromium", () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const clip = clips.get(req.url ?? "");
      if (!clip) {
        res
          .writeHead(req.url === "/" ? 200 : 404, { "content-type": "text/html" })
          .end("<!doctype html><title>m4a</title>");
        return;
      }
      res.writeHead(200, { "content-type": "audio/mp4", "content-length": String(clip.length) }).end(clip);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it.each([
    ["moovAtEnd", 7321, 12_345],
    ["mono48", 1000, 9000],
    ["adts", 2500, 10_000],
    ["video", 3000, 8000],
  ] as [AacFixtureName, number, number][])(
    "%s: a clip of %i–%i ms plays with its duration",
    async (name, start, end) => {
      const bytes = await aacFixtureBytes(name);
      const index =
        name === "adts"
          ? await buildAdtsIndex(bytesSource(bytes), { audioStart: 0 })
          : await buildAacIndex(bytesSource(bytes));
      const clip = await cutAacClip(index, bytesSource(bytes), start, end);
      clips.set(`/${name}.m4a`, clip.bytes);
      const page = await (browser as Browser).newPage();
      try {
        await page.goto(`${base}/`);
        const media = await page.evaluate(async (src) => {
          const audio = new Audio(src);
          audio.muted = true;
          await new Promise((resolve, reject) => {
            audio.onloadedmetadata = resolve;
            audio.onerror = () => reject(new Error(`media error ${audio.error?.code}`));
          });
          await audio.play();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { duration: audio.duration, playing: audio.currentTime > 0, error: audio.error?.code ?? null };
        }, `${base}/${name}.m4a`);
        expect(media).toMatchObject({ playing: true, error: null });
        expect(Math.abs(media.duration * 1000 - (end - start))).toBeLessThanOrEqual(1);
      } finally {
        await page.close();
      }
    },
  );
});
