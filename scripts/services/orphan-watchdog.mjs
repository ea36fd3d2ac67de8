// Runs beside a process that starts servers (see orphan-guard.ts). When that process dies in any way, even
// by SIGKILL, the OS closes its end of our stdin; we then stop the servers it registered and had not stopped,
// and remove the temp dirs it registered.
// Protocol, one line each: "+pid 123", "-pid 123", "+dir /tmp/x", "-dir /tmp/x".
import fs from "node:fs";
import readline from "node:readline";

const pids = new Set();
const dirs = new Set();
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const match = /^([+-])(pid|dir) (.+)$/.exec(line);
  if (!match) return;
  const [, op, kind, value] = match;
  const set = kind === "pid" ? pids : dirs;
  const item = kind === "pid" ? Number(value) : value;
  if (op === "+") set.add(item);
  else set.delete(item);
});
lines.on("close", () => {
  const signalAll = (signal) => {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        pids.delete(pid);
      }
    }
  };
  const cleanUp = () => {
    signalAll("SIGKILL");
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  if (pids.size === 0) return cleanUp();
  signalAll("SIGTERM");
  setTimeout(cleanUp, 3000);
});
