import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";

/**
 * A fixture FFmpeg makes once into `dir`, named by a hash of its recipe so a changed recipe makes a new file;
 * written to a temporary name and renamed, so parallel test files never read half a fixture.
 */
export async function cachedFfmpegFixture(
  dir: string,
  name: string,
  ext: string,
  recipe: unknown,
  args: (out: string) => string[],
): Promise<string> {
  const key = createHash("sha256").update(JSON.stringify(recipe)).digest("hex").slice(0, 12);
  const path = join(dir, `${name}-${key}.${ext}`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await run(FFMPEG, args(tmp));
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return path;
}
