// Builds the two Go servers of the local stack (FerretDB, versitygw) into .cache/bin, or reuses them.
// Plain Node ESM with no dependencies on purpose: `npm test` and `.ci/run` call it before `npm ci` has run.
// Run directly: `node scripts/services/ensure-binaries.mjs [--bin-dir DIR]`.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_BIN_DIR = fileURLToPath(new URL("../../.cache/bin/", import.meta.url));

/** What each server is, which env var replaces it, and how its binary reports its version. */
export const SERVERS = {
  ferretdb: {
    title: "FerretDB (MongoDB wire protocol)",
    module: "github.com/FerretDB/FerretDB",
    version: "v1.24.2",
    envOverride: "MONGODB_URI",
    versionLine: /^version: (\S+)$/m,
  },
  versitygw: {
    title: "versitygw (S3 API)",
    module: "github.com/versity/versitygw",
    version: "v1.7.0",
    envOverride: "S3_ENDPOINT",
    versionLine: /^Version\s*: (\S+)$/m,
  },
};

export class ServicesSetupError extends Error {
  name = "ServicesSetupError";
}

export function binaryPath(name, binDir = DEFAULT_BIN_DIR) {
  return path.join(binDir, name);
}

/** The version the binary prints with --version, or undefined when it is absent or broken. */
export function reportedVersion(file, name) {
  if (!fs.existsSync(file)) return undefined;
  const out = spawnSync(file, ["--version"], { encoding: "utf8", timeout: 15_000 });
  if (out.status !== 0) return undefined;
  return SERVERS[name].versionLine.exec(out.stdout)?.[1];
}

/** Names of the servers that must run locally: those whose env override is not set. */
export function serversNeeded(env = process.env) {
  return Object.keys(SERVERS).filter((name) => !env[SERVERS[name].envOverride]);
}

const inFlight = new Map();

/**
 * Makes sure every needed server binary exists in binDir and reports the pinned version; builds what
 * is missing. Returns the paths of the binaries that are needed.
 */
export async function ensureServerBinaries({ binDir = DEFAULT_BIN_DIR, env = process.env, log = console.log } = {}) {
  const needed = serversNeeded(env);
  const toBuild = needed.filter((name) => reportedVersion(binaryPath(name, binDir), name) !== SERVERS[name].version);
  if (toBuild.length > 0) requireGo(toBuild, env);
  const paths = {};
  for (const name of needed) {
    const file = binaryPath(name, binDir);
    // One build per binary per process even when several callers (vitest projects) ask at once.
    if (!inFlight.has(file))
      inFlight.set(
        file,
        ensureOne(name, file, env, log).finally(() => inFlight.delete(file)),
      );
    paths[name] = await inFlight.get(file);
  }
  return paths;
}

async function ensureOne(name, file, env, log) {
  const server = SERVERS[name];
  if (reportedVersion(file, name) === server.version) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  log(`Building ${server.title} ${server.version} with Go into ${path.dirname(file)}`);
  log(`  (first time only: downloads Go modules and compiles, which takes a few minutes)`);
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `edgeclip-build-${name}-`));
  try {
    const built = path.join(work, "bin", name);
    await (name === "ferretdb" ? buildFerretDb(work, built, env, log) : buildVersityGw(work, built, env, log));
    const got = reportedVersion(built, name);
    if (got !== server.version) {
      throw new ServicesSetupError(`Built ${name} reports version ${got ?? "(none)"}, expected ${server.version}.`);
    }
    // Rename is atomic, so a concurrent reader never sees a half-written binary.
    fs.renameSync(built, file);
  } finally {
    makeWritable(work);
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`Built ${name} ${server.version} in ${Math.round((Date.now() - started) / 1000)} s: ${file}`);
  return file;
}

const ALTERNATIVES = {
  ferretdb: "set MONGODB_URI to a MongoDB server you already run (e.g. mongodb://127.0.0.1:27017/)",
  versitygw:
    "set S3_ENDPOINT (with S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION) to an S3-compatible server you already run",
};

function requireGo(names, env) {
  const probe = spawnSync("go", ["version"], { encoding: "utf8", env });
  if (probe.status === 0) return;
  const missing = names.map((name) => `${SERVERS[name].title} ${SERVERS[name].version}`).join(" and ");
  const unset = names.map((name) => SERVERS[name].envOverride).join(" and ");
  throw new ServicesSetupError(
    `Cannot provide the local ${missing}: the \`go\` command was not found on PATH (it is needed once to build ` +
      `${names.length > 1 ? "them" : "it"} into .cache/bin) and ${unset} ${names.length > 1 ? "are" : "is"} not set.\n` +
      `Fix: install Go >= 1.24 (https://go.dev/dl/) and put \`go\` on PATH, or ` +
      names.map((name) => ALTERNATIVES[name]).join(", and ") +
      ".",
  );
}

// FerretDB's version package panics at start-up unless build/version/version.txt exists, and the published
// module does not contain it; `go install ...@v1.24.2` also fails here on the module's version list. So we
// fetch the exact module, write version.txt as FerretDB's own `task gen-version` does, and build cmd/ferretdb.
async function buildFerretDb(work, out, env, log) {
  const { module, version } = SERVERS.ferretdb;
  const download = await run(
    "go",
    ["mod", "download", "-json", `${module}@${version}`],
    { cwd: work, env, capture: true },
    log,
  );
  const sourceDir = JSON.parse(download).Dir;
  if (!sourceDir) throw new ServicesSetupError(`go mod download did not report a directory for ${module}@${version}`);
  const src = path.join(work, "src");
  fs.cpSync(sourceDir, src, { recursive: true });
  makeWritable(src);
  fs.writeFileSync(path.join(src, "build", "version", "version.txt"), `${version}\n`);
  await run(
    "go",
    ["build", "-trimpath", "-buildvcs=false", "-o", out, "./cmd/ferretdb"],
    { cwd: src, env },
    log,
    "ferretdb",
  );
}

async function buildVersityGw(work, out, env, log) {
  const { module, version } = SERVERS.versitygw;
  // -X main.Version is what versitygw's Makefile sets; it makes --version report the pinned version.
  const args = ["install", "-trimpath", "-ldflags", `-X main.Version=${version}`, `${module}/cmd/versitygw@${version}`];
  await run("go", args, { cwd: work, env: { ...env, GOBIN: path.dirname(out) } }, log, "versitygw");
}

/** Runs a command, streaming its stderr (Go's download messages) and printing a heartbeat while it works. */
function run(command, args, { cwd, env, capture = false }, log, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"] });
    let stdout = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    const started = Date.now();
    const heartbeat = label
      ? setInterval(() => log(`  ... still building ${label} (${Math.round((Date.now() - started) / 1000)} s)`), 20_000)
      : undefined;
    child.on("error", (err) => {
      clearInterval(heartbeat);
      reject(new ServicesSetupError(`Could not run ${command}: ${err.message}`));
    });
    child.on("close", (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve(stdout);
      else
        reject(
          new ServicesSetupError(`\`${command} ${args.join(" ")}\` failed with exit code ${code} (see output above).`),
        );
    });
  });
}

// Go's module cache is read-only; copies of it must be made writable before editing or deleting them.
function makeWritable(dir) {
  if (!fs.existsSync(dir)) return;
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) makeWritable(path.join(dir, entry.name));
    else if (entry.isFile()) fs.chmodSync(path.join(dir, entry.name), 0o644);
  }
}

async function main() {
  const i = process.argv.indexOf("--bin-dir");
  const binDir = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : DEFAULT_BIN_DIR;
  const needed = serversNeeded();
  if (needed.length === 0) {
    console.log("MONGODB_URI and S3_ENDPOINT are set: no local servers needed.");
    return;
  }
  const paths = await ensureServerBinaries({ binDir });
  for (const [name, file] of Object.entries(paths)) console.log(`${name} ${SERVERS[name].version}: ${file}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof ServicesSetupError ? `error: ${err.message}` : err);
    process.exit(1);
  });
}
