// `npm test [vitest args]`: gets a checkout from nothing to a test run (see bootstrap.mjs), then runs vitest.
// Plain Node ESM without dependencies, because it runs before `npm ci` has.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { failWith, prepare, root, step } from "./bootstrap.mjs";

function runVitest(args) {
  step(`vitest run ${args.join(" ")}`.trimEnd());
  const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");
  const env = { ...process.env };
  // We support Node >= 20 on purpose; the AWS SDK's notice about its future Node 22 floor only adds noise.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const child = spawn(process.execPath, [vitest, "run", ...args], { cwd: root, stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  // Same convention as a shell: killed by a signal means exit code 128 + its number.
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
}

prepare("test")
  .then(() => runVitest(process.argv.slice(2)))
  .catch(failWith);
