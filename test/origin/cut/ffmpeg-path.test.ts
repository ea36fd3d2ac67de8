import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FfmpegNotFoundError, resolveFfmpegPath } from "../../../origin/cut/ffmpeg-path.js";
import { fakeFfmpeg, type FakeFfmpeg } from "../helpers/fake-ffmpeg.js";

let stub: FakeFfmpeg;
let dir: string;
let fake: string;
let notExecutable: string;

beforeAll(async () => {
  stub = await fakeFfmpeg("edgeclip-ffmpeg-path-");
  // Lookup only checks that a file is there and executable; nothing is run.
  await stub.write("");
  ({ dir, path: fake } = stub);
  notExecutable = path.join(dir, "ffmpeg.txt");
  await writeFile(notExecutable, "");
});

afterAll(() => stub?.remove());

const noStatic = async () => {
  throw new Error("Cannot find package 'ffmpeg-static'");
};

describe("resolveFfmpegPath", () => {
  it("uses FFMPEG_PATH first", async () => {
    const found = await resolveFfmpegPath({ configuredPath: fake, searchPath: "/usr/bin", importStatic: noStatic });
    expect(found).toEqual({ path: fake, source: "FFMPEG_PATH" });
  });

  it("then the ffmpeg-static binary, if it exists", async () => {
    const found = await resolveFfmpegPath({
      configuredPath: undefined,
      searchPath: "",
      importStatic: async () => fake,
    });
    expect(found).toEqual({ path: fake, source: "ffmpeg-static" });
  });

  it("then ffmpeg on PATH, warning that FFMPEG_PATH was unusable", async () => {
    const found = await resolveFfmpegPath({
      configuredPath: "/nonexistent/ffmpeg",
      searchPath: `/nonexistent${path.delimiter}${dir}`,
      importStatic: async () => "/nonexistent/ffmpeg-static/ffmpeg",
    });
    expect(found).toEqual({
      path: fake,
      source: "PATH",
      warning: "FFMPEG_PATH=/nonexistent/ffmpeg is unusable (no such file); falling back",
    });
  });

  it("none → 'FFmpeg not found' listing everything it tried", async () => {
    const attempt = resolveFfmpegPath({
      configuredPath: notExecutable,
      searchPath: "/nonexistent/a:/nonexistent/b",
      importStatic: async () => "/nonexistent/static/ffmpeg",
    });
    await expect(attempt).rejects.toBeInstanceOf(FfmpegNotFoundError);
    await expect(attempt).rejects.toThrow(
      `FFmpeg not found: tried FFMPEG_PATH=${notExecutable} (not executable), ` +
        "the ffmpeg-static binary /nonexistent/static/ffmpeg (no such file), " +
        "ffmpeg on PATH (not in /nonexistent/a:/nonexistent/b). Set FFMPEG_PATH to an ffmpeg binary",
    );
  });

  it("says when the package is not installed and when PATH is empty", async () => {
    await expect(
      resolveFfmpegPath({ configuredPath: undefined, searchPath: "", importStatic: noStatic }),
    ).rejects.toThrow(
      "FFmpeg not found: tried the ffmpeg-static package (not installed), ffmpeg on PATH (PATH is empty).",
    );
  });

  it("finds the real ffmpeg of this machine through the default lookup", async () => {
    const found = await resolveFfmpegPath({ configuredPath: undefined });
    expect(["ffmpeg-static", "PATH"]).toContain(found.source);
  });
});
