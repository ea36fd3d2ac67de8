import { describe, expect, it } from "vitest";
import { installPlan, SYSTEM_TOOLS } from "../../scripts/setup/system-packages.mjs";

const tool = (name: string) => {
  const row = SYSTEM_TOOLS.find((t) => t.tool === name);
  if (!row) throw new Error(`no ${name} row`);
  return row;
};
const linux = { isRoot: false, sudoOk: false, aptPresent: true, platform: "linux" };

describe("installPlan: what npm test and npm start do about missing system tools", () => {
  it("does nothing when nothing is missing", () => {
    expect(installPlan({ ...linux, missing: [] })).toEqual({ kind: "none" });
  });

  it("as root with apt: apt-get update, then install exactly what is missing", () => {
    const plan = installPlan({ ...linux, isRoot: true, missing: [tool("ffmpeg"), tool("chromium")] });
    expect(plan).toEqual({
      kind: "install",
      update: ["apt-get", "update"],
      argv: ["apt-get", "install", "-y", "--no-install-recommends", "ffmpeg", "chromium"],
    });
  });

  it("with passwordless sudo: the same through sudo -n (never a password prompt)", () => {
    const plan = installPlan({ ...linux, sudoOk: true, missing: [tool("ffmpeg")] });
    expect(plan).toMatchObject({ kind: "install", update: ["sudo", "-n", "apt-get", "update"] });
  });

  it("without root or sudo: prints the one command and stops when a required tool is missing", () => {
    expect(installPlan({ ...linux, missing: [tool("ffmpeg"), tool("unzip")] })).toEqual({
      kind: "advise",
      command: "sudo apt-get install ffmpeg unzip",
      required: true,
    });
  });

  it("only optional tools missing (a browser, the demo voice): advice without stopping", () => {
    expect(installPlan({ ...linux, missing: [tool("chromium"), tool("espeak-ng")] })).toMatchObject({
      kind: "advise",
      required: false,
    });
  });

  it("no apt (another distribution) or macOS: advice, never an install attempt", () => {
    expect(installPlan({ ...linux, isRoot: true, aptPresent: false, missing: [tool("ffmpeg")] })).toMatchObject({
      kind: "advise",
    });
    expect(installPlan({ ...linux, platform: "darwin", missing: [tool("ffmpeg")] })).toEqual({
      kind: "advise",
      command: "brew install ffmpeg",
      required: true,
    });
  });

  it("needs ffmpeg for both commands, the browser and unzip only for the tests", () => {
    expect(tool("ffmpeg").for).toEqual(["start", "test"]);
    expect(tool("chromium").for).toEqual(["test"]);
    expect(tool("unzip")).toMatchObject({ for: ["test"], required: true });
  });
});
