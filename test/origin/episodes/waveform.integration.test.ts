import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { samplesPerPixel, signOriginRequest, waveformKey, type WaveformJson } from "../../../core/index.js";
import { aacTwentySeconds, cbrTenMinutes, vbrWithId3, type Fixture } from "../helpers/fixtures.js";
import {
  BUCKETS,
  SECRET,
  seedEpisode,
  startTestOrigin,
  testS3,
  uploadFixture,
  type TestOrigin,
} from "../helpers/harness.js";

const run = promisify(execFile);
let t: TestOrigin;
let vbr: Fixture;
let aac: Fixture;

const sign = (path: string) => signOriginRequest({ method: "GET", canonicalPath: path }, SECRET);
const ask = async (path: string) => t.request(path, { headers: await sign(path) });
const waveformOf = (body: unknown) => body as unknown as WaveformJson;

/**
 * An independent decode: FFmpeg's float samples of every channel, averaged here (as audiowaveform combines
 * channels; FFmpeg's own float downmix scales by 1/sqrt(2) instead), min/max taken in float.
 */
async function referencePeaks(file: string): Promise<{ rate: number; data: number[] }> {
  const probe = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "a:0",
    "-show_entries",
    "stream=sample_rate,channels",
    "-of",
    "csv=p=0",
    file,
  ]);
  const [rate, channels] = probe.stdout.trim().split(",").map(Number) as [number, number];
  const { stdout } = await run("ffmpeg", ["-v", "error", "-i", file, "-map", "0:a:0", "-f", "f32le", "-"], {
    encoding: "buffer",
    maxBuffer: 1 << 30,
  });
  const copy = new Uint8Array(stdout);
  const interleaved = new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  const pcm = new Float32Array(interleaved.length / channels);
  for (let i = 0; i < pcm.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i * channels + c] as number;
    pcm[i] = sum / channels;
  }
  const spp = samplesPerPixel(rate);
  const data: number[] = [];
  for (let at = 0; at < pcm.length; at += spp) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of pcm.subarray(at, at + spp)) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    data.push(min * 128, max * 128);
  }
  return { rate, data };
}

beforeAll(async () => {
  [t, vbr, aac] = await Promise.all([startTestOrigin(), vbrWithId3(), aacTwentySeconds()]);
});

afterAll(async () => {
  await t?.close();
});

describe("waveform peaks at the origin", () => {
  it("decodes a stereo VBR MP3 once into audiowaveform's layout that matches an independent decode", async () => {
    const id = await seedEpisode(t.db, { audioUrl: await uploadFixture(vbr), durationMs: vbr.durationMs });
    const runs = t.ffmpegRuns.length;
    const first = await ask(`/api/v1/episodes/${id}/waveform`);
    expect(first.status).toBe(200);
    expect(first.headers["x-edgeclip-waveform"]).toBe("built");
    const wave = waveformOf(first.body);
    expect(wave).toMatchObject({ version: 2, channels: 1, bits: 8, sample_rate: 44100, samples_per_pixel: 4410 });
    expect(wave.data.length).toBe(2 * wave.length);
    expect(Math.abs(wave.length - vbr.durationMs / 100)).toBeLessThanOrEqual(1);
    expect(t.ffmpegRuns.length - runs).toBe(1);

    const ref = await referencePeaks(vbr.file);
    expect(ref.data.length).toBe(wave.data.length);
    const off = wave.data.filter((v, i) => Math.abs(v - (ref.data[i] as number)) > 1.5).length;
    expect(off).toBe(0);
    // Pink noise at a=0.3 is loud: the peaks are not flat zeros that would match anything.
    expect(Math.max(...wave.data)).toBeGreaterThan(20);

    const again = await ask(`/api/v1/episodes/${id}/waveform`);
    expect(again.headers["x-edgeclip-waveform"]).toBe("stored");
    expect(again.body).toEqual(first.body);
    expect(t.ffmpegRuns.length - runs).toBe(1);
  });

  it("reads AAC in MP4 through a seekable URL, and rebuilds when the source's ETag changes", async () => {
    const key = `fixtures/waveform-${randomUUID()}.m4a`;
    await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: await readFile(aac.file) }));
    const id = await seedEpisode(t.db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs: aac.durationMs });
    const first = await ask(`/api/v1/episodes/${id}/waveform`);
    expect(first.status).toBe(200);
    expect(Math.abs(waveformOf(first.body).length - aac.durationMs / 100)).toBeLessThanOrEqual(1);

    const cbr = await cbrTenMinutes();
    await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: await readFile(cbr.file) }));
    const rebuilt = await ask(`/api/v1/episodes/${id}/waveform`);
    expect(rebuilt.headers["x-edgeclip-waveform"]).toBe("built");
    expect(Math.abs(waveformOf(rebuilt.body).length - cbr.durationMs / 100)).toBeLessThanOrEqual(1);
    expect(waveformKey(id)).toBe(`waveform/${id}.json`);
  });

  it("answers public facts from the catalog's optional fields", async () => {
    const id = `ep-${randomUUID()}`;
    await t.db.collection("episodes").insertOne({
      episode_id: id,
      audio_url: await uploadFixture(vbr),
      duration_ms: vbr.durationMs,
      title: "A title",
      show: "The Show",
      image_url: "javascript:alert(1)",
    });
    const facts = await ask(`/api/v1/episodes/${id}`);
    expect(facts.status).toBe(200);
    expect(facts.body).toEqual({
      episode_id: id,
      title: "A title",
      show: "The Show",
      duration_ms: vbr.durationMs,
      image_url: null,
      waveform_path: `/api/v1/episodes/${id}/waveform`,
    });
  });

  it("404s an unknown episode and 403s an unsigned or mis-signed call", async () => {
    const unknown = await ask(`/api/v1/episodes/nope-${randomUUID()}/waveform`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: { code: string } }).error.code).toBe("episode_not_found");
    const unsigned = await t.request(`/api/v1/episodes/x/waveform`, { headers: undefined });
    expect(unsigned.status).toBe(403);
    // A signature for the facts does not open the waveform.
    const wrong = await t.request(`/api/v1/episodes/x/waveform`, { headers: await sign(`/api/v1/episodes/x`) });
    expect(wrong.status).toBe(403);
    const odd = await ask(`/api/v1/episodes/x/other`);
    expect(odd.status).toBe(404);
  });
});
