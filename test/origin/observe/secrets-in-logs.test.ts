import { PutObjectCommand } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { canonicalPath, parseClipUrl, SIGNATURE_HEADER, signOriginRequest } from "../../../core/index.js";
import { stdoutSink } from "../../../origin/observe/request-log.js";
import { freeLoopbackPort } from "../../../scripts/services/free-port.js";
import { fakeFfmpeg, type FakeFfmpeg } from "../helpers/fake-ffmpeg.js";
import {
  BUCKETS,
  seedEpisode,
  services,
  startTestOrigin,
  testS3,
  type Answer,
  startOriginWithEpisode,
  type TestOrigin,
} from "../helpers/harness.js";
import { clipPath } from "../helpers/leftovers.js";

// The real origin, with the production log sink (stdout), against the real local servers, through the paths
// whose log lines carry the most detail: success, refusals, and failures whose causes come from the S3 SDK,
// the MongoDB driver and FFmpeg. Nothing secret may reach a log line, whatever the path.
// Distinctive values: any of them in a log line can only have come from where it was configured.
const ORIGIN_SECRETS = ["origin-secret-current-4f9c2a7e1d63", "origin-secret-previous-8b3e6d0c5a71"];
const ATTACKER_SECRET = "attacker-signing-secret-6a4d2f8e0b";
const MONGO_USER = "edgeclip-user-3d8f";
const MONGO_PASSWORD = "mongo-password-7c1e9a4f2b";
const WRONG_S3_SECRET = "s3-secret-access-key-5e2b8c9d1f0a";

/** Every line the origin writes to stdout or stderr, and every console call, while this file runs. */
const captured: string[] = [];
let checkedUpTo = 0;
/** Secret values seen on the wire during the tests (pre-signed URL signatures, origin request signatures). */
const seen = new Set<string>();
const restores: (() => void)[] = [];

function capture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    // The origin's lines are what is under test: they are kept here, not printed into vitest's report.
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
    restores.push(() => (stream.write = write));
  }
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      captured.push(args.map((a) => (a instanceof Error ? `${a.stack ?? a.message}` : String(a))).join(" "));
    };
    restores.push(() => (console[level] = original));
  }
}

let t: TestOrigin;
let episode: string;
let ffmpeg: FakeFfmpeg;
let mongoUri: string;

/** FerretDB takes PLAIN credentials without checking them; an external MongoDB keeps its own URI. */
function uriWithPassword(port?: number): string {
  if (services.external.mongodb && port === undefined) return services.mongodbUri;
  const url = new URL(services.mongodbUri);
  url.username = MONGO_USER;
  url.password = MONGO_PASSWORD;
  if (port !== undefined) url.port = String(port);
  url.searchParams.set("authMechanism", "PLAIN");
  return url.toString();
}

function secrets(): string[] {
  const url = new URL(mongoUri);
  return [
    ...ORIGIN_SECRETS,
    ATTACKER_SECRET,
    MONGO_PASSWORD,
    decodeURIComponent(url.password),
    mongoUri,
    services.s3.secretAccessKey,
    WRONG_S3_SECRET,
    ...seen,
  ].filter((s) => s.length >= 8);
}

async function signed(pathAndQuery: string, secret: string, nowMs = Date.now()): Promise<Record<string, string>> {
  const req = parseClipUrl(new URL(pathAndQuery, "https://edge.example"));
  const headers = await signOriginRequest({ method: "GET", canonicalPath: canonicalPath(req) }, secret, nowMs);
  // The signature, not the timestamp beside it: a timestamp in a log line is no secret.
  seen.add(String(headers[SIGNATURE_HEADER]).replace(/^v1=/, ""));
  return headers;
}

/** A request from the Worker, signed with the current secret; the pre-signed URL it returns is remembered. */
async function ask(origin: TestOrigin, pathAndQuery: string, secret = ORIGIN_SECRETS[0] as string): Promise<Answer> {
  const res = await origin.request(pathAndQuery, { headers: await signed(pathAndQuery, secret) });
  if (typeof res.json.clip_url === "string") {
    const url = new URL(res.json.clip_url);
    for (const name of ["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token"]) {
      const value = url.searchParams.get(name);
      if (value) seen.add(value);
    }
    seen.add(url.search);
  }
  return res;
}

/** The origin's JSON lines written since the last check. */
function newLines(): string[] {
  const text = captured.slice(checkedUpTo).join("");
  checkedUpTo = captured.length;
  return text.split("\n").filter((l) => l.trim() !== "");
}

function requestLines(lines: string[]): Record<string, unknown>[] {
  return lines
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "clip request");
}

let lastLines: string[] = [];

beforeAll(async () => {
  ffmpeg = await fakeFfmpeg("edgeclip-secrets-ffmpeg-");
  await ffmpeg.useReal();
  mongoUri = uriWithPassword();
  capture();
  ({ t, episode } = await startOriginWithEpisode({
    log: stdoutSink,
    env: { ORIGIN_SECRET: ORIGIN_SECRETS.join(","), MONGODB_URI: mongoUri, FFMPEG_PATH: ffmpeg.path },
  }));
});

afterEach(() => {
  lastLines = newLines();
  const text = lastLines.join("\n");
  for (const secret of secrets()) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/X-Amz-(Signature|Credential|Security-Token)|x-edgeclip-signature/i);
});

afterAll(async () => {
  for (const restore of restores.reverse()) restore();
  await t?.close();
  await ffmpeg?.remove();
});

/** The one request line of a test, which must exist for the test to mean anything. */
async function lineOf(work: Promise<Answer>): Promise<{ res: Answer; line: Record<string, unknown> }> {
  const before = captured.length;
  const res = await work;
  const lines = requestLines(captured.slice(before).join("").split("\n"));
  expect(lines).toHaveLength(1);
  return { res, line: lines[0] as Record<string, unknown> };
}

describe("no secret reaches a log line (real origin, stdout sink, real local servers)", () => {
  it("the start-up line", () => {
    // Checked by afterEach: "origin ready" names FFmpeg and nothing else.
    expect(captured.join("")).toContain('"msg":"origin ready"');
  });

  it("a generated clip, then a hit (the answers carry pre-signed URLs)", async () => {
    const miss = await lineOf(ask(t, clipPath(episode, 30_000)));
    expect([miss.res.status, miss.line.outcome]).toEqual([200, "generated"]);
    expect(miss.res.json.clip_url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    const hit = await lineOf(ask(t, clipPath(episode, 30_000)));
    expect([hit.res.status, hit.line.outcome]).toEqual([200, "hit"]);
  });

  it("a precise cut (FFmpeg runs, its output is not logged on success)", async () => {
    const { res, line } = await lineOf(ask(t, clipPath(episode, 40_000, 5000, "&precise=1")));
    expect([res.status, line.cut_method]).toEqual([200, "frames+ffmpeg"]);
  });

  it("a bad signature (signed with another secret), a stale one, none at all → 403", async () => {
    const p = clipPath(episode, 50_000);
    const wrong = await lineOf(ask(t, p, ATTACKER_SECRET));
    expect([wrong.res.status, wrong.line.auth]).toEqual([403, "mismatch"]);
    const stale = await lineOf(
      t.request(p, { headers: await signed(p, ORIGIN_SECRETS[1] as string, Date.now() - 3_600_000) }),
    );
    expect([stale.res.status, stale.line.auth]).toEqual([403, "stale"]);
    const none = await lineOf(t.request(p, { headers: undefined }));
    expect(none.res.status).toBe(403);
  });

  it("an unknown episode → 404", async () => {
    const { res, line } = await lineOf(ask(t, clipPath(`missing-${randomUUID()}`, 0)));
    expect([res.status, line.code]).toEqual([404, "episode_not_found"]);
  });

  it("FFmpeg fails on a source that is not audio (it prints the pre-signed source URL) → 422", async () => {
    const key = `secrets/${randomUUID()}.mp3`;
    await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: "not audio\n".repeat(5000) }));
    const id = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: 600_000 });
    const { res, line } = await lineOf(ask(t, clipPath(id, 0)));
    expect(res.status).toBe(422);
    expect(String(line.error)).toMatch(/is not audio FFmpeg can cut/);
    // FFmpeg did print the URL: only its path survives.
    expect(String(line.error)).toMatch(/http:\/\/[^ ]+\?…/);
  });

  it("FFmpeg exits 1 after echoing its arguments, the source URL among them → 500", async () => {
    await ffmpeg.write(`echo "args: $*" >&2\nexit 1`);
    try {
      const key = `secrets/${randomUUID()}.mp3`;
      await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: "not audio\n".repeat(5000) }));
      const id = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: 600_000 });
      const { res, line } = await lineOf(ask(t, clipPath(id, 0)));
      expect(res.status).toBe(500);
      expect(String(line.error)).toMatch(/^FFmpeg failed \(exit 1\)/);
      expect([line.level, String(line.error)]).toEqual(["error", expect.stringContaining("args: ")]);
    } finally {
      await ffmpeg.useReal();
    }
  });

  it("S3 rejects the credentials (a wrong secret access key) → 500 naming the bucket", async () => {
    const wrong = await startTestOrigin({
      log: stdoutSink,
      env: { ORIGIN_SECRET: ORIGIN_SECRETS.join(","), MONGODB_URI: mongoUri },
      s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: WRONG_S3_SECRET },
    });
    try {
      const { res, line } = await lineOf(ask(wrong, clipPath(episode, 30_000)));
      expect(res.status).toBe(500);
      expect(String(line.error)).toMatch(/^S3 (rejected the credentials|access denied)/);
      expect(line.cause).toEqual(expect.any(String));
    } finally {
      await wrong.close();
    }
  });

  it("S3 unreachable → 503; MongoDB unreachable (URI with a password) → 503 naming the host only", async () => {
    const port = await freeLoopbackPort();
    const noS3 = await startTestOrigin({
      log: stdoutSink,
      env: {
        ORIGIN_SECRET: ORIGIN_SECRETS.join(","),
        MONGODB_URI: mongoUri,
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
      },
    });
    try {
      const { res, line } = await lineOf(ask(noS3, clipPath(episode, 30_000)));
      expect(res.status).toBe(503);
      expect(String(line.error)).toMatch(/^S3 unavailable/);
      expect(line.cause).toEqual(expect.any(String));
    } finally {
      await noS3.close();
    }

    const downUri = uriWithPassword(await freeLoopbackPort());
    const noMongo = await startTestOrigin({
      log: stdoutSink,
      env: {
        ORIGIN_SECRET: ORIGIN_SECRETS.join(","),
        MONGODB_URI: downUri,
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: "500",
      },
    });
    try {
      const { res, line } = await lineOf(ask(noMongo, clipPath(`missing-${randomUUID()}`, 0)));
      expect(res.status).toBe(503);
      expect(String(line.error)).toMatch(/^MongoDB connection timeout \(host 127\.0\.0\.1:\d+\)/);
      expect(line.cause).toEqual(expect.any(String));
      seen.add(downUri);
    } finally {
      await noMongo.close();
    }
  });

  it("every request above left its one line, and the checks looked at them", () => {
    const all = requestLines(captured.join("").split("\n"));
    expect(all).toHaveLength(12);
    expect(new Set(all.map((l) => l.status))).toEqual(new Set([200, 403, 404, 422, 500, 503]));
    expect(seen.size).toBeGreaterThan(10);
  });
});
