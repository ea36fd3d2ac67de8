// Shared first steps of `npm test` and `npm start`: get a checkout from nothing to runnable. Installs
// dependencies when they are missing or stale, makes sure the Go-built local servers exist, checks for
// ffmpeg. Plain Node ESM without dependencies, because it runs before `npm ci` has.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureServerBinaries, ServicesSetupError } from "./services/ensure-binaries.mjs";
import { ensureSystemTools, SystemToolsError } from "./setup/system-packages.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export function step(title) {
  console.log(`\n== ${title}`);
}

export function fail(message) {
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

/**
 * System tools (installed where we may), dependencies, local server binaries (unless both services are
 * external), in that order. `purpose` is "start" or "test": only the tests need the browsers and unzip.
 */
export async function prepare(purpose = "start") {
  step("System tools");
  ensureSystemTools(purpose);
  installDependencies();
  if (!process.env.MONGODB_URI || !process.env.S3_ENDPOINT) {
    step("Local servers (FerretDB, versitygw)");
    const paths = await ensureServerBinaries({ log: (line) => console.log(line) });
    for (const [name, file] of Object.entries(paths)) console.log(`${name}: ${path.relative(root, file)}`);
  }
}

/** Reports a setup failure without a stack when it is one of ours. */
export function failWith(err) {
  fail(
    err instanceof ServicesSetupError || err instanceof SystemToolsError ? err.message : (err?.stack ?? String(err)),
  );
}
