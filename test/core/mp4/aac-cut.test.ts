import { describe, expect, it } from "vitest";
import { bytesSource, countingSource } from "../../../core/mp3/byte-source.js";
import { AAC_PRE_ROLL_PACKETS, cutAacClip, type AacClipResult } from "../../../core/mp4/aac-cut.js";
import { aacDurationMs, buildAacIndex, type AacIndex } from "../../../core/mp4/aac-index.js";
import { buildAdtsIndex } from "../../../core/mp4/adts-index.js";
import { detectFormat } from "../../../core/format/detect.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { decodePcm, FFPROBE, probeStream } from "../mp3/fixtures.js";
import { expectExactAacClip, tempFile, type AacSource } from "./aac-clip-check.js";
import { aacFixture, aacFixtureBytes, type AacFixtureName } from "./fixtures.js";

const run = promisify(execFile);
const sources = new Map<AacFixtureName, Promise<AacSource>>();
function source(name: AacFixtureName): Promise<AacSource> {
  let s = sources.get(name);
  if (!s) {
    s = (async () => {
      const bytes = await aacFixtureBytes(name);
      return { bytes, index: await indexOf(bytes), pcm: await decodePcm(await aacFixture(name)) };
    })();
    sources.set(name, s);
  }
  return s;
}

async function cutAndCheck(name: AacFixtureName, startMs: number, endMs: number): Promise<AacClipResult> {
  const src = await source(name);
  const counted = countingSource(bytesSource(src.bytes));
  const clip = await cutAacClip(src.index, counted, startMs, endMs);
  expect(counted.requests).toBe(1);
  expect(counted.bytesRead).toBe(clip.plan.span.end - clip.plan.span.start);
  await expectExactAacClip(src, clip);
  return clip;
}

const ALL: AacFixtureName[] = ["moovAtEnd", "faststart", "mono48", "video", "adts"];

/** The index the origin would build: from the moov, or from the ADTS frame headers. */
async function indexOf(bytes: Uint8Array): Promise<AacIndex> {
  const format = await detectFormat(async (start, length) => bytes.subarray(start, start + length));
  if (format.kind === "adts") return buildAdtsIndex(bytesSource(bytes), { audioStart: format.audioStart });
  return buildAacIndex(bytesSource(bytes));
}

describe("cutAacClip: FFmpeg's decode of the clip is the requested samples of the source", () => {
  it.each(ALL)("%s: from the very start", async (name) => {
    const clip = await cutAndCheck(name, 0, 1500);
    expect(clip.plan).toMatchObject({ startSample: 0, firstPacket: 0 });
  });

  it.each(ALL)("%s: from the middle, odd milliseconds", async (name) => {
    const clip = await cutAndCheck(name, 7321, 12_345);
    expect(clip.plan).toMatchObject({ startMs: 7321, endMs: 12_345, clampedToEnd: false });
    expect(clip.plan.mediaTime).toBeGreaterThanOrEqual(AAC_PRE_ROLL_PACKETS * 1024);
  });

  it.each(ALL)("%s: past the end is cut at the end", async (name) => {
    const { index } = await source(name);
    const end = Math.floor(aacDurationMs(index));
    const clip = await cutAndCheck(name, end - 1500, end + 5000);
    expect(clip.plan.clampedToEnd).toBe(true);
    expect(clip.plan.lastPacket).toBe(index.packetCount - 1);
  });

  it("reads only the clip's packets (and pre-roll); the clip adds only its boxes", async () => {
    const clip = await cutAndCheck("moovAtEnd", 10_000, 30_000);
    const { index } = await source("moovAtEnd");
    const { firstPacket, lastPacket, span } = clip.plan;
    const packets = index.sizes.subarray(firstPacket, lastPacket + 1).reduce((n, s) => n + s, 0);
    expect(span.end - span.start).toBe(packets);
    expect(clip.bytes.length - packets).toBeLessThan(8 * 1024); // boxes: a sample table of ~900 packets
  });

  it("a video podcast gives its audio track alone", async () => {
    const clip = await cutAndCheck("video", 5000, 9000);
    const tmp = tempFile(clip.bytes, "clip.m4a");
    try {
      expect((await probeStream(tmp.path)).channels).toBe(2);
      const { stdout } = await run(FFPROBE, [
        "-v",
        "error",
        "-show_entries",
        "stream=codec_type",
        "-of",
        "csv=p=0",
        tmp.path,
      ]);
      expect(stdout.trim()).toBe("audio");
    } finally {
      tmp.remove();
    }
  });
});
