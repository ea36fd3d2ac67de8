import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Settings } from "../services/local-services.js";

/**
 * Where `npm start` publishes how to reach its stack while it runs, so operator commands (episodes, warm,
 * purge) find it by default. Only `npm start` publishes: stacks of the tests and the bench own their state and
 * publish nothing, so they can run beside it. EDGECLIP_STACK_FILE moves the file (a test's own `npm start`).
 */
export function localStackFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.EDGECLIP_STACK_FILE || path.resolve(import.meta.dirname, "../../.cache/local-stack.json");
}

export interface LocalStackInfo {
  /** The `npm start` process that published it: a file whose process is gone is stale and ignored. */
  pid: number;
  mongodbUri: string;
  mongodbDb: string;
  s3: S3Settings;
  rawBucket: string;
  clipsBucket: string;
  /** wrangler dev's persistence folder, for the local R2 mirror. */
  edgeState: string;
  /** Where `wrangler dev` answers, for `npm run warm`. */
  edgeUrl: string;
}

function alive(pid: unknown): boolean {
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running `npm start` stack, or undefined when none is running (no file, or its process is gone). */
export async function readLocalStack(env: NodeJS.ProcessEnv = process.env): Promise<LocalStackInfo | undefined> {
  const text = await readFile(localStackFile(env), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const info = JSON.parse(text) as LocalStackInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses to start a second published stack while one runs; run before any server is started. */
export async function claimPublication(file: string): Promise<void> {
  const running = await readLocalStack({ ...process.env, EDGECLIP_STACK_FILE: file });
  if (running && running.pid !== process.pid) {
    throw new Error(
      `another npm start is running (pid ${running.pid}, edge ${running.edgeUrl}); stop it first, ` +
        `or give this one its own EDGECLIP_STACK_FILE, EDGE_PORT and ORIGIN_PORT`,
    );
  }
}

/** Writes the file whole (temp name, then rename), so a reader never sees half of it. */
export async function publishStack(file: string, info: LocalStackInfo): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(info, null, 2));
  await rename(temp, file);
}

/** Removes the file only if it is still ours: another `npm start` may have replaced a stale one. */
export async function unpublishStack(file: string): Promise<void> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return;
  const pid = (JSON.parse(text) as { pid?: unknown }).pid;
  if (pid === process.pid) await rm(file, { force: true });
}
