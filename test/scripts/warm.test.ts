import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { startStack, type Stack } from "../../scripts/stack/stack.js";
import { parseWarmList } from "../../scripts/warm/warm-list.js";

const run = promisify(execFile);

describe("the warm list", () => {
  it("reads URLs, paths and `episode start duration` lines, skips comments, and warms each clip once", () => {
    const { items, errors } = parseWarmList(
      [
        "# popular clips",
        "https://edge.example/api/v1/audio_clips/ep1?start_time_ms=1000&duration_ms=5000",
        "",
        "/api/v1/audio_clips/ep1?duration_ms=5000&start_time_ms=001000&utm=x",
        "ep1 1000 5000",
        "ep2 0 30000",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(items.map((i) => [i.line, i.path])).toEqual([
      [2, "/api/v1/audio_clips/ep1?start_time_ms=1000&duration_ms=5000"],
      [6, "/api/v1/audio_clips/ep2?start_time_ms=0&duration_ms=30000"],
    ]);
  });

  it("names every bad line with its number and the parser's reason", () => {
    const { errors } = parseWarmList("ep1 1000\nep1 x 5000\n../etc 0 1000\nhttps://e/other?start_time_ms=1\nok 0 1000");
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^line 1: expected a clip URL or `episode_id start_ms duration_ms`/);
    expect(errors[1]).toMatch(/^line 2: start_time_ms must be a whole number/);
    expect(errors[2]).toMatch(/^line 3: episode_id must be/);
    expect(errors[3]).toMatch(/^line 4: No such endpoint/);
  });
});

describe("npm run warm against the local stack", () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "edgeclip-warm-"));
    stack = await startStack({
      edgePort: await freeLoopbackPort(),
      originPort: await freeLoopbackPort(),
      log: () => {},
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function warm(lines: string[]) {
    const file = path.join(dir, `list-${Math.random().toString(36).slice(2)}.txt`);
    await writeFile(file, lines.join("\n"));
    try {
      const out = await run(process.execPath, [
        ...["node_modules/tsx/dist/cli.mjs", "scripts/warm.ts", file, "--edge", stack.edgeUrl, "--concurrency", "3"],
      ]);
      return { code: 0, ...out };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it("refuses a list with a bad line and requests nothing from it", async () => {
    const res = await warm(["demo 20000 5000", "demo twenty 5000"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("nothing requested, 1 bad line(s)");
    expect(res.stderr).toContain("line 2: start_time_ms");
    // The good line of that list was not warmed: warming it now generates it.
    const again = await warm(["demo 20000 5000"]);
    expect(again.stdout).toContain("1 generated, 0 hit, 0 failed");
  });

  it("generates the new clips, then finds them all at the edge", async () => {
    const list = [
      `${stack.edgeUrl}/api/v1/audio_clips/demo?start_time_ms=1000&duration_ms=4000`,
      "demo 1000 4000",
      "demo 9000 3000",
    ];
    const first = await warm(list);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/warmed 2 clip\(s\) in [\d.]+ s: 2 generated, 0 hit, 0 failed/);
    // Not a TTY here: one plain line per clip, no carriage returns.
    expect(first.stderr).not.toContain("\r");
    expect(first.stderr).toMatch(/^2\/2 generated/m);
    const second = await warm(list);
    expect(second.stdout).toContain("0 generated, 2 hit, 0 failed");
  });

  it("reports a clip the origin cannot make, and exits 1", async () => {
    const res = await warm(["demo 2000 3000", "no-such-episode 0 5000"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("1 failed");
    expect(res.stderr).toMatch(
      /failed: \/api\/v1\/audio_clips\/no-such-episode\?.*HTTP 404: Episode no-such-episode not found/,
    );
  });
});
