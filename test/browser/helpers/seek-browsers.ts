/**
 * The browsers the seek test plays clips in: Debian's Chromium through playwright-core and Debian's
 * Firefox ESR through puppeteer-core over WebDriver BiDi. Chromium is required (CI installs it);
 * Firefox runs when installed (.ci/run installs it too).
 */
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import puppeteer from "puppeteer-core";

export type BrowserName = "chromium" | "firefox";

const PATHS: Record<BrowserName, string> = {
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  firefox: process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr",
};

/** The browsers present here; in CI a missing one is an error, locally a warning. */
export function availableBrowsers(): BrowserName[] {
  const names = (Object.keys(PATHS) as BrowserName[]).filter((name) => {
    if (existsSync(PATHS[name])) return true;
    if (process.env.CI) throw new Error(`${name} not found at ${PATHS[name]}: .ci/run installs it`);
    console.warn(`[browser] seek test skipped for ${name}: nothing at ${PATHS[name]}`);
    return false;
  });
  return names;
}

export interface SeekPage {
  goto(url: string): Promise<unknown>;
  evaluate(expr: string): Promise<unknown>;
  close(): Promise<void>;
}
export interface Driver {
  newPage(): Promise<SeekPage>;
  close(): Promise<void>;
}

export async function launch(name: BrowserName): Promise<Driver> {
  if (name === "chromium") {
    const b = await chromium.launch({
      executablePath: PATHS.chromium,
      args: [
        ...["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        "--autoplay-policy=no-user-gesture-required",
      ],
    });
    return { newPage: () => b.newPage() as Promise<SeekPage>, close: () => b.close() };
  }
  const b = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: PATHS.firefox,
    headless: true,
    extraPrefsFirefox: {
      "media.autoplay.default": 0,
      "media.autoplay.blocking_policy": 0,
      "media.autoplay.block-webaudio": false,
      // No sound card here: without a (mock) audio backend the AudioContext never leaves "suspended".
      "media.cubeb.force_mock_context": true,
    },
  });
  return { newPage: () => b.newPage() as unknown as Promise<SeekPage>, close: () => b.close() };
}
