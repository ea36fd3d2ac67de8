// `npm start`: installs what is missing (see bootstrap.mjs), then runs the local stack (scripts/start.ts).
// Plain Node ESM without dependencies, because it runs before `npm ci` has.
import { spawn } from "node:child_process";
import path from "node:path";
import { failWith, prepare, root, step } from "./bootstrap.mjs";

prepare()
  .then(() => {
    step("Starting the local stack");
    const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
    const child = spawn(process.execPath, [tsx, path.join(root, "scripts", "start.ts")], {
      cwd: root,
      stdio: "inherit",
    });
    // Ctrl-C reaches the child through the terminal's process group; we only wait for it to finish.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
    child.on("exit", (code) => process.exit(code ?? 1));
  })
  .catch(failWith);
