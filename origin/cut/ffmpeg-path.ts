import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";

export interface FfmpegLocation {
  path: string;
  source: "FFMPEG_PATH" | "ffmpeg-static" | "PATH";
  /** Set when FFMPEG_PATH was given but unusable, so the fallback is visible in the logs. */
  warning?: string;
}

export interface FfmpegLookup {
  /** FFMPEG_PATH from the configuration. */
  configuredPath: string | undefined;
  /** The PATH to search last (process.env.PATH by default). */
  searchPath?: string | undefined;
  /** Resolves the ffmpeg-static module's binary path; replaceable so tests need not depend on its absence. */
  importStatic?: () => Promise<string | null | undefined>;
}

export class FfmpegNotFoundError extends Error {
  override readonly name = "FfmpegNotFoundError";
}

async function executable(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return "not a file";
    await access(file, constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : code === "EACCES" ? "not executable" : String(code ?? err);
  }
}

// ffmpeg-static is an optional dependency whose install downloads a binary; it is often absent, so it
// is imported by a computed name that neither TypeScript nor the bundler tries to resolve.
async function importFfmpegStatic(): Promise<string | null | undefined> {
  const name = "ffmpeg-static";
  const mod = (await import(name)) as { default?: unknown };
  return typeof mod.default === "string" ? mod.default : null;
}

/**
 * Finds FFmpeg once, at cold start: FFMPEG_PATH, then the ffmpeg-static binary, then `ffmpeg` on PATH.
 * Throws FfmpegNotFoundError whose message starts "FFmpeg not found" and lists what was tried.
 */
export async function resolveFfmpegPath(lookup: FfmpegLookup): Promise<FfmpegLocation> {
  const tried: string[] = [];
  let warning: string | undefined;

  if (lookup.configuredPath !== undefined) {
    const problem = await executable(lookup.configuredPath);
    if (problem === undefined) return { path: lookup.configuredPath, source: "FFMPEG_PATH" };
    tried.push(`FFMPEG_PATH=${lookup.configuredPath} (${problem})`);
    warning = `FFMPEG_PATH=${lookup.configuredPath} is unusable (${problem}); falling back`;
  }

  let staticPath: string | null | undefined;
  try {
    staticPath = await (lookup.importStatic ?? importFfmpegStatic)();
  } catch {
    staticPath = undefined;
  }
  if (staticPath) {
    const problem = await executable(staticPath);
    if (problem === undefined) return withWarning({ path: staticPath, source: "ffmpeg-static" }, warning);
    tried.push(`the ffmpeg-static binary ${staticPath} (${problem})`);
  } else {
    tried.push(`the ffmpeg-static package (${staticPath === null ? "no binary for this platform" : "not installed"})`);
  }

  const searchPath = lookup.searchPath ?? process.env.PATH ?? "";
  const dirs = searchPath.split(path.delimiter).filter((d) => d !== "");
  for (const dir of dirs) {
    const candidate = path.join(dir, "ffmpeg");
    if ((await executable(candidate)) === undefined) {
      return withWarning({ path: candidate, source: "PATH" }, warning);
    }
  }
  tried.push(`ffmpeg on PATH (${dirs.length === 0 ? "PATH is empty" : `not in ${dirs.join(path.delimiter)}`})`);

  throw new FfmpegNotFoundError(
    `FFmpeg not found: tried ${tried.join(", ")}. Set FFMPEG_PATH to an ffmpeg binary ` +
      `(for Lambda: bundle ffmpeg-static or attach an FFmpeg layer and set FFMPEG_PATH=/opt/bin/ffmpeg).`,
  );
}

function withWarning(found: FfmpegLocation, warning: string | undefined): FfmpegLocation {
  return warning === undefined ? found : { ...found, warning };
}
