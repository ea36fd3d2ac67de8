import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { controlServer } from "../../setup/control.js";
import { expectNoInternals } from "../../shared/public-answer.js";
import {
  clipKeys,
  LAMBDA,
  services,
  signFor,
  startTestOrigin,
  tempEntries,
  testEnv,
  startOriginWithEpisode,
  type TestOrigin,
} from "../helpers/harness.js";
import { v2Event } from "../helpers/api-gateway-event.js";

/** The JSON lines written to stdout from now on (the Lambda handler logs there, as in Lambda). */
function captureStdout(): () => Record<string, unknown>[] {
  const written: string[] = [];
  const real = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (real as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  return () =>
    written
      .flatMap((text) => text.split("\n"))
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// These tests stop and restart the project's shared servers; they run only where this project started them.
const local = !services.external.mongodb && !services.external.s3;

let t: TestOrigin;
let episode: string;
/** The step before which the current test stops a server, if any. */
let stopBefore: { step: string; kind: "mongo" | "s3" } | undefined;
let stopped: ("mongo" | "s3")[] = [];

async function stop(kind: "mongo" | "s3"): Promise<void> {
  await controlServer(kind, "stop");
  stopped.push(kind);
}

beforeAll(async () => {
  ({ t, episode } = await startOriginWithEpisode({
    beforeStep: async (step) => {
      if (stopBefore?.step === step) await stop(stopBefore.kind);
    },
  }));
});

afterEach(async () => {
  stopBefore = undefined;
  for (const kind of stopped) await controlServer(kind, "start");
  stopped = [];
});

afterAll(() => t?.close());

const clip = (startMs: number) => `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=10000`;

async function nothingWritten(startMs: number): Promise<void> {
  expect((await clipKeys(episode)).filter((k) => k.includes(`/${startMs}-`))).toEqual([]);
  expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode, clip_start_ms: startMs })).toBe(0);
  expect(await tempEntries(t.tmpRoot)).toEqual([]);
}

describe.runIf(local)("servers down", () => {
  it("S3 stopped → 503 'S3 unavailable' with Retry-After, and nothing written", async () => {
    await stop("s3");
    const res = await t.request(clip(10_000));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.body).toMatchObject({ error: { code: "service_unavailable" } });
    expect(String(res.detail)).toMatch(/^S3 unavailable: HeadObject on bucket /);
    await controlServer("s3", "start");
    stopped = [];
    await nothingWritten(10_000);
  });

  it("S3 stopped after the cut, before the upload → 503, no object, no record, no temp file", async () => {
    stopBefore = { step: "upload", kind: "s3" };
    const res = await t.request(clip(20_000));
    expect(res.status).toBe(503);
    expect(String(res.detail)).toMatch(/^S3 unavailable: PutObject on bucket /);
    expect(Object.keys((t.logs.at(-1)?.steps ?? {}) as object)).toContain("cut");
    await controlServer("s3", "start");
    stopped = [];
    await nothingWritten(20_000);
  });

  it("MongoDB stopped → 503 'MongoDB connection timeout (host ...)', and nothing written", async () => {
    await stop("mongo");
    const res = await t.request(clip(30_000));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    const host = new URL(services.mongodbUri).host;
    expect(res.detail).toMatch(new RegExp(`^MongoDB connection timeout \\(host ${host.replace(/\./g, "\\.")}\\)`));
    expect(t.logs.at(-1)).toMatchObject({ level: "error", status: 503 });
    await controlServer("mongo", "start");
    stopped = [];
    await nothingWritten(30_000);
  });

  it("after both servers come back, the same origin (same clients) serves again", async () => {
    const res = await t.request(clip(30_000));
    expect(res.status).toBe(200);
    expect(res.json.cache_hit).toBe(false);
  });
});

describe("S3 refusing the origin", () => {
  it("a request S3 refuses (wrong secret; a HEAD has no error body) → 500 'S3 access denied' naming bucket and action", async () => {
    const denied = await startTestOrigin({
      s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: "wrong" },
    });
    try {
      const res = await denied.request(clip(50_000));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: { code: "internal", message: "Internal error", request_id: res.logged.request_id },
      });
      expect(res.detail).toBe(`S3 access denied: s3:GetObject on bucket ${denied.config.clipsBucket} (HeadObject)`);
    } finally {
      await denied.close();
    }
  });
});

describe("FFmpeg missing", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it("createOrigin fails at cold start with 'FFmpeg not found' listing what it tried", async () => {
    const attempt = startTestOrigin({
      env: { FFMPEG_PATH: "/nonexistent/bin/ffmpeg" },
      ffmpegSearchPath: "/nonexistent/empty-dir",
    });
    await expect(attempt).rejects.toThrow(
      /^FFmpeg not found: tried FFMPEG_PATH=\/nonexistent\/bin\/ffmpeg \(no such file\), the ffmpeg-static package \(.+\), ffmpeg on PATH \(not in \/nonexistent\/empty-dir\)/,
    );
  });

  it("the Lambda handler answers every request with that message (500) instead of crashing", async () => {
    for (const [key, value] of Object.entries(
      testEnv("origin_handler_test", { FFMPEG_PATH: "/nonexistent/bin/ffmpeg" }),
    )) {
      vi.stubEnv(key, value);
    }
    vi.stubEnv("PATH", "/nonexistent/empty-dir");
    vi.stubEnv("AWS_ACCESS_KEY_ID", services.s3.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", services.s3.secretAccessKey);
    const { handler } = await import("../../../origin/lambda/handler.js");
    const path = clip(40_000);
    const lines = captureStdout();
    const res = await handler(v2Event(path, await signFor(path)), LAMBDA as never);
    expect(res.statusCode).toBe(500);
    const body = JSON.parse(res.body) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: "internal", message: "Internal error" });
    expectNoInternals({ status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body });
    // The operator finds the reason under the id the client was given.
    const line = lines().find((l) => l.request_id === body.error.request_id);
    expect(String(line?.error)).toMatch(/^FFmpeg not found: /);
  });

  it("the Lambda handler reports every configuration problem at once, naming each setting", async () => {
    vi.stubEnv("MONGODB_URI", "");
    vi.stubEnv("CLIPS_BUCKET", "Not_A_Bucket");
    vi.stubEnv("ORIGIN_SECRET", "");
    const { handler } = await import("../../../origin/lambda/handler.js");
    const lines = captureStdout();
    const res = await handler(v2Event(clip(0), {}), LAMBDA as never);
    expect(res.statusCode).toBe(500);
    expectNoInternals({ status: res.statusCode, headers: res.headers as Record<string, string>, body: res.body });
    const id = (JSON.parse(res.body) as { error: { request_id: string } }).error.request_id;
    const message = String(lines().find((l) => l.request_id === id)?.error);
    expect(message).toMatch(/^Invalid origin configuration \(3 problems\)/);
    for (const setting of ["MONGODB_URI", "CLIPS_BUCKET", "ORIGIN_SECRET"]) expect(message).toContain(`${setting}: `);
  });
});
