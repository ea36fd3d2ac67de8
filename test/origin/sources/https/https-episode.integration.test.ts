import type { LookupAddress } from "node:dns";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpsSourcePolicy } from "../../../../origin/sources/https/https-source.js";
import { decodedDurationMs, expectCutFrom } from "../../helpers/audio.js";
import { downloadFolder, type Downloads } from "../../helpers/download.js";
import { aacTwentySeconds, cbrTenMinutes, type Fixture } from "../../helpers/fixtures.js";
import { seedEpisode, startTestOrigin, type TestOrigin } from "../../helpers/harness.js";
import { startHttpsServer, testCertificate, type TestHttpsServer } from "../../helpers/https-server.js";

// Episodes whose audio is an https URL on an allow-listed host: a real TLS server on loopback, reached
// under a made-up name through an injected resolver (loopback is let through only by the test policy).
let t: TestOrigin;
let mp3Server: TestHttpsServer;
let aacServer: TestHttpsServer;
let cbr: Fixture;
let aac: Fixture;
let downloads: Downloads;

beforeAll(async () => {
  [cbr, aac] = await Promise.all([cbrTenMinutes(), aacTwentySeconds()]);
  const tls = await testCertificate(["audio.test", "other.test"]);
  mp3Server = await startHttpsServer(tls, await readFile(cbr.file));
  aacServer = await startHttpsServer(tls, await readFile(aac.file));
  const resolve = async (): Promise<LookupAddress[]> => [{ address: "127.0.0.1", family: 4 }];
  const policy: HttpsSourcePolicy = {
    allowedHosts: ["audio.test"],
    maxBytes: 1024 ** 3,
    timeoutMs: 5000,
    resolve,
    testOnly: { ca: tls.cert, allowAddresses: ["127.0.0.1"] },
  };
  t = await startTestOrigin({ httpsPolicy: policy });
  downloads = await downloadFolder("edgeclip-https-episode-");
});

afterAll(async () => {
  await t?.close();
  await mp3Server?.close();
  await aacServer?.close();
  await downloads?.remove();
});

const clipPath = (episode: string, startMs: number, durationMs: number) =>
  `/api/v1/audio_clips/${episode}?start_time_ms=${startMs}&duration_ms=${durationMs}`;

/** An episode whose audio is at this URL on a test server, with the fixture's duration in the catalog. */
const episodeAt = (audioUrl: string, fixture: Fixture) =>
  seedEpisode(t.db, { audioUrl, durationMs: fixture.durationMs });

describe("an https episode on an allow-listed host", () => {
  it("is indexed on first use and cut from its frames, with no FFmpeg and no whole-file download later", async () => {
    const episode = await episodeAt(`https://audio.test:${mp3Server.port}/audio.mp3?token=secret-token`, cbr);
    const first = await t.request(clipPath(episode, 60_000, 10_000));
    expect(first.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames", seek_index: "built" });
    expect(t.ffmpegRuns).toHaveLength(0);
    const res = await t.request(clipPath(episode, 300_000, 30_000));
    expect(res.status).toBe(200);
    const line = t.logs.at(-1) ?? {};
    expect(line).toMatchObject({ cut_method: "frames", seek_index: "memory" });
    // The 1-byte probe that opens the source, then the clip's frames.
    expect(Number(line.source_bytes_read)).toBeLessThanOrEqual(Number(line.clip_bytes) + 64 * 1024);
    // The URL's token never reaches a log line.
    expect(JSON.stringify(t.logs)).not.toContain("secret-token");
    const file = await downloads.download(res.json.clip_url, "https-cbr.mp3");
    await expectCutFrom(cbr.file, file, 300_000, 30_000, { lengthMs: 1, startMs: 26.2 });
  });

  it("a re-upload at the same URL (new ETag) is noticed and re-indexed", async () => {
    const episode = await episodeAt(`https://audio.test:${mp3Server.port}/audio.mp3`, cbr);
    expect((await t.request(clipPath(episode, 10_000, 5_000))).status).toBe(200);
    mp3Server.replaceFile(await readFile(cbr.file));
    const res = await t.request(clipPath(episode, 20_000, 5_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "frames", seek_index: "built" });
  });

  it("a non-MP3 https source is fetched through the checked session and re-encoded", async () => {
    const episode = await episodeAt(`https://audio.test:${aacServer.port}/audio.mp3`, aac);
    const res = await t.request(clipPath(episode, 5_000, 5_000));
    expect(res.status).toBe(200);
    expect(t.logs.at(-1)).toMatchObject({ cut_method: "ffmpeg", downloaded: true });
    // FFmpeg read a local temp file, never the URL (its own DNS lookups would skip the address checks).
    expect(t.ffmpegRuns.at(-1)?.join(" ")).not.toContain("https://");
    const file = await downloads.download(res.json.clip_url, "https-aac.mp3");
    expect(Math.abs((await decodedDurationMs(file)) - 5_000)).toBeLessThanOrEqual(60);
  });

  it("a host not on the allow-list is a 422 that names the setting, and nothing is written", async () => {
    const episode = await episodeAt(`https://other.test:${mp3Server.port}/audio.mp3`, cbr);
    const res = await t.request(clipPath(episode, 0, 5_000));
    expect(res.status).toBe(422);
    expect(res.detail).toContain("not in SOURCE_HOST_ALLOWLIST");
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode })).toBe(0);
  });

  it("a source host that never answers is given up at the request's deadline: 504, nothing written", async () => {
    const episode = await episodeAt(`https://audio.test:${mp3Server.port}/hang`, cbr);
    // 4.5 s left, minus the 3 s margin: the deadline is 1.5 s away, well before the policy's 5 s read timeout.
    const res = await t.request(clipPath(episode, 0, 5_000), { lambda: { getRemainingTimeInMillis: () => 4_500 } });
    expect(res.status).toBe(504);
    expect(res.detail).toMatch(/^Stopped reading https:\/\/audio.test:\d+\/hang: the request.s deadline passed/);
    expect(await t.db.collection("audio_clips").countDocuments({ episode_id: episode })).toBe(0);
  });

  it("an http:// audio location is refused: only https is read", async () => {
    const episode = await episodeAt(`http://audio.test:${mp3Server.port}/audio.mp3`, cbr);
    const res = await t.request(clipPath(episode, 0, 5_000));
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(/no usable audio location/);
  });
});
