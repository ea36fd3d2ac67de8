import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import puppeteer from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSeekIndex, bytesSource, cutClip } from "../../core/mp3/index.js";
import { listenOnLoopback, type Loopback } from "../shared/loopback-server.js";
import { SEEK_PAGE } from "./helpers/seek-page.js";
import { decodeMono, locate } from "./helpers/seek-measure.js";

// Seeking inside clips as browsers do it (issue 14): Debian's Chromium (playwright-core) and Firefox ESR
// (puppeteer-core over WebDriver BiDi) play clips cut by core/mp3 from a local HTTP server with Range
// support; Web Audio records what they render after each seek, and cross-correlating that with FFmpeg's
// decode of the clip says where playback really is.
//
// NOT YET GREEN, so opt-in (EDGECLIP_SEEK_TEST=1): it measures today's clips, which carry a Xing TOC.
// Measured in Chromium 2026-12-02 (20 s clips, targets 2 / 7.31 / 13.13 / 18.52 s), heard - target:
//   VBR 48 kHz mono: -4.5, -106.3, -117.0, -84.1 ms; duration 20.0000 s at load, 20.0079 s after the end.
//   CBR 44.1 kHz 128k: -26.8, -7.1, +24.1, +67.7 ms (the TOC's 1/256 byte steps are 78 ms on 20 s).
// Firefox ESR: the page does not answer yet (AudioContext/autoplay in headless Firefox, unresolved).
const SEEK_TEST = process.env.EDGECLIP_SEEK_TEST === "1";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
const browsers = [
  { name: "chromium", path: CHROMIUM },
  { name: "firefox", path: FIREFOX },
] as const;
for (const b of browsers) {
  if (existsSync(b.path)) continue;
  if (process.env.CI) throw new Error(`${b.name} not found at ${b.path}: .ci/run installs it`);
  console.warn(`[browser] seek test skipped for ${b.name}: nothing at ${b.path}`);
}

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, "../../.cache/fixtures/browser");

/** Never-silent modulated pink noise: unique under cross-correlation, and VBR frame sizes vary a lot. */
async function source(name: string, rate: number, channels: number, codec: string[]): Promise<Uint8Array> {
  const file = path.join(FIXTURES, `${name}.mp3`);
  if (!existsSync(file) || statSync(file).size === 0) {
    mkdirSync(FIXTURES, { recursive: true });
    const partial = `${file}.${process.pid}.partial.mp3`;
    const signal = `anoisesrc=d=40:c=pink:r=${rate}:a=0.4:seed=11,volume='0.15+0.85*abs(sin(2*PI*0.13*t))':eval=frame`;
    await run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", signal, "-ac", String(channels), ...codec, partial]);
    renameSync(partial, file);
  }
  return new Uint8Array(readFileSync(file));
}

let server: Loopback | undefined;
let base = "";
let dir = "";
const files = new Map<string, Uint8Array>();

/** Serves the page and the clips, with the single-range answers media elements seek with. */
async function serve(): Promise<void> {
  const pages = createServer((req, res) => {
    const name = (req.url ?? "/").split("?")[0]!.slice(1);
    if (name === "" || name === "page.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(SEEK_PAGE);
      return;
    }
    const body = files.get(name);
    if (!body) return void res.writeHead(404).end();
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    const headers = { "content-type": "audio/mpeg", "accept-ranges": "bytes" };
    if (!m) return void res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
    const start = m[1] ? Number(m[1]) : body.length - Number(m[2]);
    const end = m[1] && m[2] ? Math.min(body.length - 1, Number(m[2])) : body.length - 1;
    res
      .writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${end}/${body.length}`,
        "content-length": end - start + 1,
      })
      .end(body.subarray(start, end + 1));
  });
  server = await listenOnLoopback(pages);
  base = `${server.url}/`;
}

interface Clip {
  name: string;
  file: string;
  durationS: number;
  frameS: number;
}
const clips: Clip[] = [];

async function addClip(name: string, src: Uint8Array, startMs: number, endMs: number): Promise<void> {
  const index = await buildSeekIndex(bytesSource(src));
  const clip = await cutClip(index, bytesSource(src), startMs, endMs);
  const file = path.join(dir, `${name}.mp3`);
  await writeFile(file, clip.bytes);
  files.set(`${name}.mp3`, clip.bytes);
  clips.push({ name, file, durationS: (endMs - startMs) / 1000, frameS: index.samplesPerFrame / index.sampleRate });
}

interface Page {
  goto(url: string): Promise<unknown>;
  evaluate(expr: string): Promise<unknown>;
  close(): Promise<void>;
}
interface Driver {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

async function launch(name: "chromium" | "firefox"): Promise<Driver> {
  if (name === "chromium") {
    const b = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    return { newPage: () => b.newPage() as Promise<Page>, close: () => b.close() };
  }
  const b = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: {
      "media.autoplay.default": 0,
      "media.autoplay.blocking_policy": 0,
      "media.autoplay.block-webaudio": false,
    },
  });
  return { newPage: () => b.newPage() as unknown as Promise<Page>, close: () => b.close() };
}

const TARGETS = [2.0, 7.31, 13.13, 18.52];

beforeAll(async () => {
  if (!SEEK_TEST) return;
  dir = await mkdtemp(path.join(os.tmpdir(), "edgeclip-seek-"));
  const [vbr, cbr] = await Promise.all([
    source("vbr-48k-mono", 48000, 1, ["-c:a", "libmp3lame", "-q:a", "4"]),
    source("cbr-44k-stereo", 44100, 2, ["-c:a", "libmp3lame", "-b:a", "128k"]),
  ]);
  await addClip("vbr", vbr, 7_500, 27_500);
  await addClip("cbr", cbr, 7_500, 27_500);
  await serve();
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!SEEK_TEST).each(browsers.filter((b) => existsSync(b.path)).map((b) => b.name))(
  "seeking in clips: %s",
  (name) => {
    let driver: Driver;
    beforeAll(async () => {
      driver = await launch(name);
    }, 60_000);
    afterAll(async () => driver?.close());

    it.each(["cbr", "vbr"])(
      "%s clip: what plays after each seek is within one frame of the target; duration stays right to the end",
      async (clipName) => {
        const clip = clips.find((c) => c.name === clipName)!;
        const page = await driver.newPage();
        try {
          await page.goto(`${base}page.html`);
          const meta = (await page.evaluate(`window.load(${JSON.stringify(`${base}${clip.name}.mp3`)})`)) as {
            duration: number;
            rate: number;
          };
          const pcm = await decodeMono(clip.file, meta.rate);
          const errors: number[] = [];
          for (const t of TARGETS) {
            const heard = (await page.evaluate(`window.listen(${t}, 700)`)) as { samples: number[]; duration: number };
            const at = locate(pcm, Float32Array.from(heard.samples), meta.rate, t);
            expect(at.correlation).toBeGreaterThan(0.8);
            errors.push(Math.round((at.atS - t) * 10_000) / 10);
          }
          const end = (await page.evaluate(`window.playToEnd(${clip.durationS - 1.2})`)) as {
            duration: number;
            ended: boolean;
          };
          console.info(
            `[seek ${name} ${clip.name}] heard - target (ms): ${errors.join(", ")}; duration ${meta.duration.toFixed(4)} s at load, ${end.duration.toFixed(4)} s after playing to the end`,
          );
          expect(end.ended).toBe(true);
          for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(clip.frameS * 1000);
          expect(Math.abs(meta.duration - clip.durationS)).toBeLessThanOrEqual(clip.frameS);
          expect(Math.abs(end.duration - clip.durationS)).toBeLessThanOrEqual(clip.frameS);
        } finally {
          await page.close();
        }
      },
    );
  },
);
