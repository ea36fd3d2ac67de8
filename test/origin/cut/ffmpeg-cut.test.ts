import http from "node:http";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClipError } from "../../../core/index.js";
import { ffmpegCut, ffmpegArgs, type CutOptions } from "../../../origin/cut/ffmpeg-cut.js";
import { redactUrls } from "../../../origin/cut/ffmpeg-failure.js";
import { listenOnLoopback, type Loopback } from "../../shared/loopback-server.js";
import { cbrTenMinutes, type Fixture } from "../helpers/fixtures.js";

let tmpRoot: string;
let cbr: Fixture;
let stallServer: Loopback | undefined;
let stallUrl: string;

beforeAll(async () => {
  [tmpRoot, cbr] = await Promise.all([mkdtemp(path.join(os.tmpdir(), "edgeclip-cutter-test-")), cbrTenMinutes()]);
  // A source server that sends headers and then never sends a byte: what a hung S3 read looks like to FFmpeg.
  const stalling = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "audio/mpeg", "content-length": "9600000" });
    res.flushHeaders();
  });
  stallServer = await listenOnLoopback(stalling);
  stallUrl = `${stallServer.url}/episode.mp3?X-Amz-Signature=secret`;
});

afterAll(async () => {
  await stallServer?.close();
  await rm(tmpRoot, { recursive: true, force: true });
});

function options(overrides: Partial<CutOptions>): CutOptions {
  return {
    ffmpegPath: "ffmpeg",
    source: { url: cbr.file },
    sourceLabel: "s3://raw/episode.mp3",
    startMs: 60_000,
    durationMs: 5_000,
    mode: "copy-fast",
    deadline: Date.now() + 20_000,
    marginMs: 3000,
    tmpRoot,
    ...overrides,
  };
}

describe("ffmpegCut", () => {
  it("FFmpeg stalled on its source is killed at the deadline → 504 'Lambda timeout' (scripted stalling server)", async () => {
    const attempt = ffmpegCut(options({ source: { url: stallUrl }, deadline: Date.now() + 800 }));
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClipError);
    expect(err).toMatchObject({ code: "timeout", status: 504 });
    expect((err as Error).message).toMatch(
      /^Lambda timeout: FFmpeg was stopped after \d+ ms so the function can answer before its deadline \(remaining Lambda time minus FFMPEG_TIMEOUT_MARGIN_MS=3000\)/,
    );
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it("cuts a local file and removes its temp dir", async () => {
    const out = await ffmpegCut(options({}));
    expect(out.bytes.length).toBeGreaterThan(70_000);
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it("a missing FFmpeg binary is a clear 500", async () => {
    const err = await ffmpegCut(options({ ffmpegPath: "/nonexistent/ffmpeg" })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "internal" });
    expect((err as Error).message).toMatch(/^FFmpeg could not be started \(\/nonexistent\/ffmpeg\): .*ENOENT/);
    expect(await readdir(tmpRoot)).toEqual([]);
  });

  it("a start past the real audio (catalog duration too long) is a 422 that says so", async () => {
    const err = await ffmpegCut(options({ startMs: cbr.durationMs + 60_000 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unprocessable_source" });
    expect((err as Error).message).toMatch(
      /^FFmpeg produced 0 ms of audio for a 5000 ms clip from s3:\/\/raw\/episode.mp3 at \d+ ms: the audio is shorter than the catalog.s duration_ms$/,
    );
  });
});

describe("ffmpegArgs", () => {
  it("seeks on the input, copies the audio stream only, and writes an MP3 with its Xing/Info header", () => {
    const args = ffmpegArgs(options({ startMs: 754_000, durationMs: 30_000 }), "/tmp/x/clip.mp3").join(" ");
    expect(args).toContain("-fflags +fastseek -ss 754.000 -t 30.000 -i ");
    expect(args).toContain("-map 0:a:0 -map_metadata -1 -vn -sn -dn -c:a copy -f mp3 -write_xing 1 -y /tmp/x/clip.mp3");
  });

  it("reads VBR frame by frame (no fast seek) and re-encodes what is not MP3", () => {
    expect(ffmpegArgs(options({ mode: "copy-exact" }), "o.mp3")).not.toContain("+fastseek");
    expect(ffmpegArgs(options({ mode: "encode" }), "o.mp3").join(" ")).toContain("-c:a libmp3lame -b:a 128k");
  });
});

it("redactUrls strips query strings (pre-signed credentials) from FFmpeg output", () => {
  expect(redactUrls(`Input #0, mp3, from '${stallUrl}':`)).toBe(`Input #0, mp3, from '${stallUrl.split("?")[0]}?…':`);
});
