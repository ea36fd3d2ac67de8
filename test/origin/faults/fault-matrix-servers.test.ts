import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { controlServer } from "../../setup/control.js";
import { BUCKETS, services, testS3, startOriginWithEpisode, type TestOrigin } from "../helpers/harness.js";
import { clipPath, expectNothingLeft, expectOneClip, leftovers } from "../helpers/leftovers.js";

// The fault matrix for the origin's servers, on the real local servers: "down" stops the process, "slow"
// freezes it with SIGSTOP (its port still accepts connections, nothing answers) until SIGCONT.
const local = !services.external.mongodb && !services.external.s3;

type Kind = "mongo" | "s3";
type Fault = "stop" | "pause";
const UNDO = { stop: "start", pause: "resume" } as const;

let t: TestOrigin;
let episode: string;
/** A fault to cause right before the named step, once. */
let before: { step: string; kind: Kind; fault: Fault } | undefined;
let active: [Kind, Fault][] = [];

async function fault(kind: Kind, what: Fault): Promise<void> {
  await controlServer(kind, what);
  active.push([kind, what]);
}

async function recover(): Promise<void> {
  for (const [kind, what] of active.reverse()) await controlServer(kind, UNDO[what]);
  active = [];
}

// 8 s left with the 3 s FFMPEG_TIMEOUT_MARGIN_MS: the origin must answer at the 5 s deadline, before the 8 s
// at which Lambda would kill it. The tests assert the outcome that proves it (a 504 naming the step abandoned
// at the deadline), not wall time, which a busy machine stretches.
const SHORT_LAMBDA = { getRemainingTimeInMillis: () => 8000 };

/** After recovery: the failed request left nothing, and the same request now makes the one whole clip. */
async function expectCleanRetry(startMs: number): Promise<void> {
  await expectNothingLeft(t, episode, startMs);
  const retry = await t.request(clipPath(episode, startMs));
  expect([retry.status, retry.json.cache_hit]).toEqual([200, false]);
  await expectOneClip(t, episode, startMs);
}

beforeAll(async () => {
  ({ t, episode } = await startOriginWithEpisode({
    beforeStep: async (step) => {
      if (before?.step !== step) return;
      const { kind, fault: what } = before;
      before = undefined;
      await fault(kind, what);
    },
  }));
  // Warm: connections open and the seek index built, as in a container that has served before.
  expect((await t.request(clipPath(episode, 0))).status).toBe(200);
});

afterEach(async () => {
  before = undefined;
  await recover();
});

afterAll(() => t?.close());

describe.runIf(local)("S3 slow (versitygw frozen with SIGSTOP)", () => {
  it("at the store check → 504 'Lambda timeout' before the deadline; after SIGCONT the retry succeeds", async () => {
    await fault("s3", "pause");
    const res = await t.request(clipPath(episode, 10_000), { lambda: SHORT_LAMBDA });
    expect(res.status).toBe(504);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.detail).toMatch(/^Lambda timeout: step check-store was still waiting after \d+ ms/);
    await recover();
    await expectCleanRetry(10_000);
  });

  it("during the upload → 504 before the deadline; an object that lands after SIGCONT is whole; the retry succeeds", async () => {
    before = { step: "upload", kind: "s3", fault: "pause" };
    const res = await t.request(clipPath(episode, 20_000), { lambda: SHORT_LAMBDA });
    expect(res.status).toBe(504);
    expect(res.detail).toMatch(/^Lambda timeout: step upload was still waiting after \d+ ms/);
    await recover();
    const after = await leftovers(t, episode, 20_000);
    expect(after.records).toBe(0);
    expect(after.tempEntries).toEqual([]);
    const retry = await t.request(clipPath(episode, 20_000));
    expect(retry.status).toBe(200);
    // The PUT was already in versitygw's socket when it froze, so it may complete once resumed: then it is
    // the whole clip (the retry's size) and the retry is a hit on it.
    const key = `audio_clips/${episode}/20000-30000.mp3`;
    const head = await testS3.send(new HeadObjectCommand({ Bucket: BUCKETS.clips, Key: key }));
    expect(head.ContentLength).toBe(retry.json.file_size_bytes);
    expect((await leftovers(t, episode, 20_000)).objects).toEqual([key]);
  });
});

describe.runIf(local)("MongoDB slow (FerretDB frozen with SIGSTOP)", () => {
  it("at the episode lookup, on a warm connection → an answer before the deadline; after SIGCONT the retry succeeds", async () => {
    await fault("mongo", "pause");
    const res = await t.request(clipPath(episode, 30_000), { lambda: SHORT_LAMBDA });
    expect([503, 504]).toContain(res.status);
    expect(res.detail).toMatch(/^(MongoDB connection timeout|Lambda timeout: step lookup-episode was still waiting)/);
    await recover();
    await expectCleanRetry(30_000);
  });

  it("at the record insert → an answer before the deadline; the object is whole; the retry succeeds", async () => {
    before = { step: "record", kind: "mongo", fault: "pause" };
    const res = await t.request(clipPath(episode, 40_000), { lambda: SHORT_LAMBDA });
    expect([503, 504]).toContain(res.status);
    await recover();
    const retry = await t.request(clipPath(episode, 40_000));
    expect(retry.status).toBe(200);
    const after = await leftovers(t, episode, 40_000);
    expect(after.objects).toHaveLength(1);
    expect(after.tempEntries).toEqual([]);
    // The insert sent before the freeze may be carried out once FerretDB resumes; never twice.
    expect(after.records).toBeLessThanOrEqual(1);
  });
});

describe.runIf(local)("MongoDB slow or down during a hit: the request count never holds up the answer", () => {
  const count = async () =>
    (await t.db.collection("audio_clips").findOne({ episode_id: episode, clip_start_ms: 0 }))?.request_count;

  it("frozen (SIGSTOP) → the hit answers at once with the count pending; it lands after SIGCONT", async () => {
    const before = Number(await count());
    await fault("mongo", "pause");
    const res = await t.request(clipPath(episode, 0), { lambda: SHORT_LAMBDA });
    expect([res.status, res.json.cache_hit]).toEqual([200, true]);
    expect(t.logs.at(-1)).toMatchObject({ level: "info", request_count: "pending" });
    await recover();
    await expect.poll(count, { timeout: 10_000 }).toBe(before + 1);
  });

  it("stopped → the hit answers at once; the count is pending or failed, never the answer", async () => {
    await fault("mongo", "stop");
    const res = await t.request(clipPath(episode, 0), { lambda: SHORT_LAMBDA });
    expect([res.status, res.json.cache_hit]).toEqual([200, true]);
    expect(["pending", "failed"]).toContain(t.logs.at(-1)?.request_count);
  });
});

describe.runIf(local)("MongoDB down at the record insert", () => {
  it("→ 503 'MongoDB connection timeout'; the whole object stays without a record; the retry is a hit on it and records it", async () => {
    before = { step: "record", kind: "mongo", fault: "stop" };
    const res = await t.request(clipPath(episode, 50_000));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.detail).toMatch(/^MongoDB connection timeout \(host [^)]+\): .* during the clip record insert/);
    await recover();
    expect(await leftovers(t, episode, 50_000)).toEqual({
      objects: [`audio_clips/${episode}/50000-60000.mp3`],
      records: 0,
      tempEntries: [],
    });
    const retry = await t.request(clipPath(episode, 50_000));
    expect([retry.status, retry.json.cache_hit]).toEqual([200, true]);
    expect(t.logs.at(-1)?.request_count).toBe("recorded");
    expect(await leftovers(t, episode, 50_000)).toMatchObject({ records: 1 });
  });
});
