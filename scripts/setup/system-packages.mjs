// The system tools `npm test` and `npm start` need, and how to get them: installed with apt where this process
// may (root, or sudo without a password), else one printed command. Plain Node ESM without dependencies:
// it runs before `npm ci`. The decision (installPlan) is pure, so it is unit-tested without touching the system.
import { spawnSync } from "node:child_process";

/**
 * One row per tool: the command that proves it is there, its Debian package, who needs it, and whether its
 * absence stops the run (`required`) or only loses a nicety (the demo voice) or a skippable test (browsers
 * outside CI).
 */
export const SYSTEM_TOOLS = [
  {
    tool: "ffmpeg",
    probe: ["ffmpeg", "-version"],
    apt: "ffmpeg",
    brew: "ffmpeg",
    for: ["start", "test"],
    required: true,
  },
  {
    tool: "chromium",
    probe: ["chromium", "--version"],
    apt: "chromium",
    brew: "--cask chromium",
    for: ["test"],
    required: false,
  },
  {
    // The seek test also plays clips in Firefox ESR; skipped without it (outside CI).
    tool: "firefox-esr",
    probe: ["firefox-esr", "--version"],
    apt: "firefox-esr",
    brew: "--cask firefox",
    for: ["test"],
    required: false,
  },
  { tool: "unzip", probe: ["unzip", "-v"], apt: "unzip", brew: "unzip", for: ["test"], required: true },
  {
    tool: "espeak-ng",
    probe: ["espeak-ng", "--version"],
    apt: "espeak-ng",
    brew: "espeak-ng",
    for: ["start", "test"],
    required: false,
  },
];

/**
 * What to do about the missing tools of a command. `missing` are rows of SYSTEM_TOOLS; returns
 * { kind: "none" } | { kind: "install", argv: [...] } | { kind: "advise", command, required }.
 */
export function installPlan({ missing, isRoot, sudoOk, aptPresent, platform }) {
  if (missing.length === 0) return { kind: "none" };
  const required = missing.some((t) => t.required);
  if (platform === "linux" && aptPresent && (isRoot || sudoOk)) {
    const prefix = isRoot ? [] : ["sudo", "-n"];
    return {
      kind: "install",
      update: [...prefix, "apt-get", "update"],
      argv: [...prefix, "apt-get", "install", "-y", "--no-install-recommends", ...missing.map((t) => t.apt)],
    };
  }
  const command =
    platform === "darwin"
      ? missing.map((t) => `brew install ${t.brew}`).join(" && ")
      : `sudo apt-get install ${missing.map((t) => t.apt).join(" ")}`;
  return { kind: "advise", command, required };
}

export class SystemToolsError extends Error {
  name = "SystemToolsError";
}

const runs = (argv) => spawnSync(argv[0], argv.slice(1), { stdio: "ignore", timeout: 15_000 }).status === 0;

/** Finds what `purpose` ("start" or "test") lacks and installs it, or says how; throws when a required tool stays missing. */
export function ensureSystemTools(purpose, { log = console.log, env = process.env } = {}) {
  const missing = SYSTEM_TOOLS.filter((t) => t.for.includes(purpose)).filter((t) => {
    // FFMPEG_PATH replaces ffmpeg on PATH (the origin resolves it the same way).
    if (t.tool === "ffmpeg" && env.FFMPEG_PATH) return !runs([env.FFMPEG_PATH, "-version"]);
    return !runs(t.probe);
  });
  const plan = installPlan({
    missing,
    isRoot: process.getuid?.() === 0,
    sudoOk: process.platform === "linux" && runs(["sudo", "-n", "true"]),
    aptPresent: runs(["apt-get", "--version"]),
    platform: process.platform,
  });
  if (plan.kind === "none") return;
  const names = missing.map((t) => t.tool).join(", ");
  if (plan.kind === "install") {
    log(`missing system tools: ${names}; installing them with apt (output below)`);
    for (const argv of [plan.update, plan.argv]) {
      log(`$ ${argv.join(" ")}`);
      const result = spawnSync(argv[0], argv.slice(1), {
        stdio: "inherit",
        env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
      });
      if (result.status !== 0)
        throw new SystemToolsError(`${argv.join(" ")} failed (exit ${result.status ?? result.signal})`);
    }
    return;
  }
  const message = `missing system tools: ${names}. Install them with:\n  ${plan.command}`;
  if (plan.required) throw new SystemToolsError(message);
  log(`warning: ${message}\n(the tests that need them are skipped outside CI)`);
}
