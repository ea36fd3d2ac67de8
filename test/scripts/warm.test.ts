import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../scripts/services/free-port.js";
import { startStack, type Stack } from "../../scripts/stack/stack.js";
import { recordRequest } from "../../scripts/warm/popular.js";
import { parseWarmList } from "../../scripts/warm/warm-list.js";
import { runScript } from "./helpers/run-script.js";

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

describe("the popular list", () => {
  const path = (record: Record<string, unknown>) => {
    const req = recordRequest(record);
    return [req.episodeId, req.startMs, req.durationMs, req.precise];
  };

  it("requests the range the record's key was stored under, which is what players ask for", () => {
    expect(path({ s3_key: "audio_clips/ep1/1000-6000.mp3", clip_start_ms: 1000, clip_end_ms: 6000 })).toEqual([
      "ep1",
      1000,
      5000,
      false,
    ]);
    // Clamped at the episode's end: the record has the real end, the key (and the players' URL) the asked-for one.
    expect(path({ s3_key: "audio_clips/ep1/170000-200000.mp3", clip_start_ms: 170000, clip_end_ms: 180000 })).toEqual([
      "ep1",
      170000,
      30000,
      false,
    ]);
    expect(path({ s3_key: "audio_clips/ep1/0-7001.precise.mp3" })).toEqual(["ep1", 0, 7001, true]);
    // A key named some other way: the record's own fields.
    expect(path({ s3_key: "legacy/x.mp3", episode_id: "ep2", clip_start_ms: 500, clip_end_ms: 2500 })).toEqual([
      "ep2",
      500,
      2000,
      false,
    ]);
    expect(() => path({ s3_key: "legacy/x.mp3", episode_id: "../x", clip_start_ms: 0, clip_end_ms: 1000 })).toThrow(
      /episode_id/,
    );
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

  const warmCli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    runScript("scripts/warm.ts", [...args, "--edge", stack.edgeUrl, "--concurrency", "3"], env);

  async function warm(lines: string[]) {
    const file = path.join(dir, `list-${Math.random().toString(36).slice(2)}.txt`);
    await writeFile(file, lines.join("\n"));
    return warmCli([file]);
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

  describe("--popular N", () => {
    let mongo: MongoClient;
    const env = () => ({ ...process.env, MONGODB_URI: stack.info.mongodbUri, MONGODB_DB: stack.info.mongodbDb });
    const clips = () => mongo.db(stack.info.mongodbDb).collection("audio_clips");
    const countOf = async (startMs: number) =>
      (await clips().findOne({ episode_id: "demo", clip_start_ms: startMs }))?.request_count;

    beforeAll(async () => {
      mongo = await new MongoClient(stack.info.mongodbUri).connect();
    });
    afterAll(() => mongo?.close());

    it("refuses a file together with --popular, and a count that is not 1-10000", async () => {
      const both = await warmCli(["list.txt", "--popular", "3"], env());
      expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("give a file or --popular N, not both")]);
      const zero = await warmCli(["--popular", "0"], env());
      expect([zero.code, zero.stderr]).toEqual([2, expect.stringContaining("--popular must be a whole number")]);
    });

    it("warms the N clips with the highest request_count through the edge; edge hits do not count", async () => {
      // Records as the origin leaves them for clips it answered often, whose objects are gone (as after a
      // purge of S3 and the edge), so warming them goes all the way to the origin and cuts them again.
      const now = Date.now();
      const record = (startMs: number, count: number) => ({
        episode_id: "demo",
        clip_start_ms: startMs,
        clip_end_ms: startMs + 3000,
        s3_key: `audio_clips/demo/${startMs}-${startMs + 3000}.mp3`,
        generated_at: new Date(now - 60_000),
        file_size_bytes: 1,
        request_count: count,
        last_requested_at: new Date(now - count * 1000),
      });
      await clips().insertMany([record(100_000, 7), record(110_000, 9), record(120_000, 2), record(130_000, 5)]);

      const first = await warmCli(["--popular", "2"], env());
      expect(first.code).toBe(0);
      expect(first.stderr).toContain(
        "ranking: edgeclip.audio_clips at MONGODB_URI: 2 of the 2 asked for, origin requests 9 down to 7",
      );
      expect(first.stdout).toMatch(/warmed 2 clip\(s\) in [\d.]+ s: 2 generated, 0 hit, 0 failed/);
      expect(first.stderr).toContain("/api/v1/audio_clips/demo?start_time_ms=110000&duration_ms=3000");
      expect(first.stderr).toContain("/api/v1/audio_clips/demo?start_time_ms=100000&duration_ms=3000");
      // The origin counted the requests that reached it (the answer waits up to 100 ms for that write, so
      // poll); the others were not requested.
      await expect
        .poll(async () => [
          await countOf(110_000),
          await countOf(100_000),
          await countOf(130_000),
          await countOf(120_000),
        ])
        .toEqual([10, 8, 5, 2]);

      const second = await warmCli(["--popular", "2"], env());
      expect(second.stdout).toContain("0 generated, 2 hit, 0 failed");
      // Served by the edge: the origin never saw them, so the counts stay.
      expect([await countOf(110_000), await countOf(100_000)]).toEqual([10, 8]);
    });
  });
});
