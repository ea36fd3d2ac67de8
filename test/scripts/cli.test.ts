// The CLI kit every operator command runs on, through a tiny command in a real child process.
import { describe, expect, it } from "vitest";
import { runScript } from "./helpers/run-script.js";

const tiny = (...args: string[]) => runScript("test/scripts/fixtures/tiny-command.ts", args);

const USAGE = "usage: tiny <word> [--shout] [--fail clip|plain|bug]";

describe("runCommand (scripts/cli)", () => {
  it("runs the command with its parsed options and exits with its code", async () => {
    expect(await tiny("hello", "--shout")).toEqual({ code: 0, stdout: "HELLO\n", stderr: "" });
    expect(await tiny("three")).toMatchObject({ code: 3, stdout: "three\n" });
  });

  it("answers bad arguments with the usage on stderr and exit 2", async () => {
    const unknown = await tiny("hello", "--loud");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--loud'/);
    expect(unknown.stderr).toContain(USAGE);
    expect(unknown.stdout).toBe("");
    expect(await tiny()).toEqual({ code: 2, stdout: "", stderr: `${USAGE}\n` });
    expect(await tiny("a", "b")).toEqual({ code: 2, stdout: "", stderr: `one word only\n${USAGE}\n` });
  });

  it("prints the usage on stdout for --help and -h, exit 0, without running", async () => {
    expect(await tiny("--help")).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
    expect(await tiny("-h", "--fail", "plain")).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
  });

  it("turns a thrown error into `name: message` and exit 1; an unexpected one keeps its stack", async () => {
    expect(await tiny("x", "--fail", "clip")).toEqual({
      code: 1,
      stdout: "",
      stderr: "tiny: episode_id must be short\n",
    });
    expect(await tiny("x", "--fail", "plain")).toEqual({
      code: 1,
      stdout: "",
      stderr: "tiny: the catalog is unreachable\n",
    });
    const bug = await tiny("x", "--fail", "bug");
    expect(bug.code).toBe(1);
    expect(bug.stderr).toMatch(/^tiny: TypeError: cannot read properties of undefined\n\s+at /);
  });
});
