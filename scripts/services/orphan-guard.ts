import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// Servers we start must not outlive us. A normal exit runs the 'exit' hook below; a hard kill (SIGKILL, a
// crashed test runner) runs no code at all, so a small detached watchdog process, which notices our death
// when its stdin pipe closes, stops whatever is still registered and removes registered temp dirs.
const live = new Set<number>();
let watchdog: ChildProcess | undefined;

process.on("exit", () => {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

function send(line: string): void {
  if (watchdog === undefined) {
    const script = fileURLToPath(new URL("./orphan-watchdog.mjs", import.meta.url));
    watchdog = spawn(process.execPath, [script], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    watchdog.unref();
    // A dead watchdog must not crash us with EPIPE; the 'exit' hook still covers normal exits.
    watchdog.stdin?.on("error", () => {});
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** A child to kill if we die; a negative pid is a whole process group (see process.kill). */
export function guardChild(pid: number): void {
  live.add(pid);
  send(`+pid ${pid}`);
}

export function releaseChild(pid: number): void {
  live.delete(pid);
  send(`-pid ${pid}`);
}

/** A temp dir (or file) to remove if we die without cleaning up (a normal stop removes it itself). */
export function guardDir(dir: string): void {
  send(`+dir ${dir}`);
}

export function releaseDir(dir: string): void {
  send(`-dir ${dir}`);
}
