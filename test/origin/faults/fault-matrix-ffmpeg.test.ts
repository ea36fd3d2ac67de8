import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fakeFfmpeg, type FakeFfmpeg } from "../helpers/fake-ffmpeg.js";
import { startOriginWithEpisode, type TestOrigin } from "../helpers/harness.js";
import { clipPath, expectNothingLeft, expectOneClip } from "../helpers/leftovers.js";

// FFmpeg faults with a stand-in binary at FFMPEG_PATH that the test rewrites: the real FFmpeg (recovery),
// one that crashes (SIGSEGV), one that fails (exit 1), one that hangs, and none at all. The cut is asked
// for with precise=1, the path that runs FFmpeg whatever the source format.

let ffmpeg: FakeFfmpeg;
let t: TestOrigin;
let episode: string;

const precise = (startMs: number) => clipPath(episode, startMs, 5000, "&precise=1");

beforeAll(async () => {
  ffmpeg = await fakeFfmpeg("edgeclip-ffmpeg-faults-");
  await ffmpeg.useReal();
  ({ t, episode } = await startOriginWithEpisode({ env: { FFMPEG_PATH: ffmpeg.path } }));
});

beforeEach(() => ffmpeg.useReal());

afterAll(async () => {
  await t?.close();
  await ffmpeg?.remove();
});

describe("FFmpeg faults (stand-in binaries at FFMPEG_PATH)", () => {
  it("crashing (kills itself with SIGSEGV) → 500 naming the signal; nothing left; the retry with a working FFmpeg succeeds", async () => {
    await ffmpeg.write("kill -SEGV $$");
    const res = await t.request(precise(10_000));
    expect(res.status).toBe(500);
    expect(res.detail).toMatch(/^FFmpeg failed \(killed by SIGSEGV\) on s3:\/\//);
    await expectNothingLeft(t, episode, 10_000);
    await ffmpeg.useReal();
    const retry = await t.request(precise(10_000));
    expect([retry.status, retry.json.cache_hit]).toEqual([200, false]);
    await expectOneClip(t, episode, 10_000);
  });

  it("failing (exit 1 with a message) → 500 quoting its last line; nothing left", async () => {
    await ffmpeg.write('echo "Conversion failed: encoder exploded" >&2; exit 1');
    const res = await t.request(precise(20_000));
    expect(res.status).toBe(500);
    expect(res.detail).toMatch(/^FFmpeg failed \(exit 1\) on s3:\/\/.+: Conversion failed: encoder exploded$/);
    await expectNothingLeft(t, episode, 20_000);
  });

  it("hanging → killed at the deadline: 504 'Lambda timeout'; the process is gone; nothing left; then a retry works", async () => {
    const pidFile = path.join(ffmpeg.dir, "hung.pid");
    await ffmpeg.write(`echo $$ > "${pidFile}"; exec sleep 600`);
    const lambda = { getRemainingTimeInMillis: () => 5000 };
    const res = await t.request(precise(30_000), { lambda });
    expect(res.status).toBe(504);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.detail).toMatch(/^Lambda timeout: FFmpeg was stopped after \d+ ms/);
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expectNothingLeft(t, episode, 30_000);
    await ffmpeg.useReal();
    expect((await t.request(precise(30_000))).status).toBe(200);
  });

  it("missing after cold start (binary removed) → 500 'FFmpeg could not be started'; nothing left; restored → retry works", async () => {
    await rm(ffmpeg.path);
    const res = await t.request(precise(40_000));
    expect(res.status).toBe(500);
    expect(res.detail).toBe(`FFmpeg could not be started (${ffmpeg.path}): spawn ${ffmpeg.path} ENOENT`);
    await expectNothingLeft(t, episode, 40_000);
    await ffmpeg.useReal();
    expect((await t.request(precise(40_000))).status).toBe(200);
    await expectOneClip(t, episode, 40_000);
  });
});
