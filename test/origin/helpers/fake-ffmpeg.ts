import { execFile } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A shell script at a fixed path that stands in for FFmpeg (FFMPEG_PATH points at it), rewritten by a test to
 * produce a fault: crash, fail, hang, print secrets; `useReal()` makes it run this machine's FFmpeg again.
 */
export interface FakeFfmpeg {
  /** The stand-in's path: what FFMPEG_PATH is set to. */
  path: string;
  /** Its folder, which holds nothing else (a PATH entry that finds it as `ffmpeg`). */
  dir: string;
  /** Replaces the script's body (after `#!/bin/sh`). */
  write(body: string): Promise<void>;
  /** The stand-in runs the real FFmpeg with the same arguments. */
  useReal(): Promise<void>;
  /** Removes its folder (call from afterAll). */
  remove(): Promise<void>;
}

export async function fakeFfmpeg(prefix: string): Promise<FakeFfmpeg> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, "ffmpeg");
  let realFfmpeg: string | undefined;
  const write = async (body: string) => {
    // Written beside and renamed over, so a run never starts a half-written script.
    const tmp = `${file}.new`;
    await writeFile(tmp, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    await rename(tmp, file);
  };
  return {
    path: file,
    dir,
    write,
    async useReal() {
      realFfmpeg ??= (await run("sh", ["-c", "command -v ffmpeg"])).stdout.trim();
      await write(`exec "${realFfmpeg}" "$@"`);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
