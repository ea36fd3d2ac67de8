// `npm test [vitest args]`: gets a checkout from nothing to a test run. Installs dependencies when they are
// missing or stale, makes sure the Go-built local servers exist, checks for ffmpeg, then runs vitest.
// Plain Node ESM without dependencies, because it runs before `npm ci` has.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureServerBinaries, ServicesSetupError } from "./services/ensure-binaries.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function step(title) {
  console.log(`\n== ${title}`);
}

function fail(message) {
  console.error(`\nerror: ${message}`);
  process.exit(1);
}

// npm writes node_modules/.package-lock.json on every install, so its age says which lock it installed.
function dependenciesStale() {
  const installed = path.join(root, "node_modules", ".package-lock.json");
  if (!fs.existsSync(installed)) return true;
  return fs.statSync(installed).mtimeMs < fs.statSync(path.join(root, "package-lock.json")).mtimeMs;
}

function installDependencies() {
  if (!dependenciesStale()) return;
  step("Installing dependencies (npm ci)");
  const result = spawnSync(npm, ["ci"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) fail(`npm ci failed (exit code ${result.status ?? result.signal}); see its output above.`);
}

function checkFfmpeg() {
  const ffmpeg = process.env.FFMPEG_PATH || "ffmpeg";
  const probe = spawnSync(ffmpeg, ["-version"], { encoding: "utf8" });
  if (probe.status === 0) return;
  const where = process.env.FFMPEG_PATH
    ? `FFMPEG_PATH=${process.env.FFMPEG_PATH} does not run`
    : "ffmpeg is not on PATH";
  fail(
    `${where}. The tests cut real audio with FFmpeg.\n` +
      "Install it (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) " +
      "or set FFMPEG_PATH to an ffmpeg binary.",
  );
}

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

async function main() {
  installDependencies();
  if (!process.env.MONGODB_URI || !process.env.S3_ENDPOINT) {
    step("Local servers (FerretDB, versitygw)");
    const paths = await ensureServerBinaries({ log: (line) => console.log(line) });
    for (const [name, file] of Object.entries(paths)) console.log(`${name}: ${path.relative(root, file)}`);
  }
  checkFfmpeg();
  runVitest(process.argv.slice(2));
}

main().catch((err) => fail(err instanceof ServicesSetupError ? err.message : (err?.stack ?? String(err))));
