import { describe, expect, it } from "vitest";
import { bytesSource, countingSource } from "../../../core/mp3/byte-source.js";
import { buildClip, cutClip, planCut, type ClipResult } from "../../../core/mp3/cut.js";
import { decodeFrameHeader, readUint32BE } from "../../../core/mp3/frame-header.js";
import { spanForFrames, walkFrames } from "../../../core/mp3/frame-walk.js";
import { buildSeekIndex } from "../../../core/mp3/build-seek-index.js";
import { durationMs, IndexMismatchError } from "../../../core/mp3/seek-index.js";
import { readXing } from "../../../core/mp3/xing.js";
import { expectFaithfulClip, type Source } from "./clip-check.js";
import { decodePcm, fixture, fixtureBytes, type FixtureName } from "./fixtures.js";

const sources = new Map<FixtureName, Promise<Source>>();
function source(name: FixtureName): Promise<Source> {
  let s = sources.get(name);
  if (!s) {
    s = (async () => {
      const bytes = await fixtureBytes(name);
      return { bytes, index: await buildSeekIndex(bytesSource(bytes)), pcm: await decodePcm(await fixture(name)) };
    })();
    sources.set(name, s);
  }
  return s;
}

async function cutAndCheck(name: FixtureName, startMs: number, endMs: number): Promise<ClipResult> {
  const src = await source(name);
  const counted = countingSource(bytesSource(src.bytes));
  const clip = await cutClip(src.index, counted, startMs, endMs);
  const { span } = clip.plan;
  expect(counted.requests).toBe(1);
  expect(counted.bytesRead).toBe(span.end - span.start);
  // Read at most: the clip's frames, the lead-in read-back and one stride of frames on each side.
  const slack = (2 * src.index.stride + clip.plan.readBack) * 1441;
  expect(span.end - span.start).toBeLessThanOrEqual(clip.bytes.length + slack);
  await expectFaithfulClip(src, clip);
  return clip;
}

const ALL: FixtureName[] = ["cbr", "vbr", "mpeg2", "mpeg25Mono", "mono", "bigId3", "noXing"];

// Generous: the first run also generates the FFmpeg fixtures.
describe("cutClip: the decoded clip is exactly the requested samples of the source", { timeout: 60_000 }, () => {
  it.each(ALL)("%s: from the very start", async (name) => {
    const clip = await cutAndCheck(name, 0, 1500);
    expect(clip.plan.startSample).toBe(0);
  });

  it.each(ALL)("%s: from the middle, odd milliseconds", async (name) => {
    const clip = await cutAndCheck(name, 7321, 12_345);
    expect(clip.plan).toMatchObject({ startMs: 7321, endMs: 12_345, clampedToEnd: false });
    expect(clip.leadInComplete).toBe(true);
  });

  it.each(ALL)("%s: past the end is cut at the end", async (name) => {
    const { index } = await source(name);
    const end = durationMs(index);
    const clip = await cutAndCheck(name, Math.floor(end) - 1500, Math.floor(end) + 5000);
    expect(clip.plan.clampedToEnd).toBe(true);
    expect(clip.plan.lastFrame).toBe(index.frameCount - 1);
  });

  it.each(["mono", "vbr", "mpeg25Mono"] as const)(
    "%s: many starts, real lead-in frames or a carrier frame",
    async (name) => {
      const clips: ClipResult[] = [];
      for (let i = 0; i < 8; i++) clips.push(await cutAndCheck(name, 1000 + i * 2345, 2500 + i * 2345));
      expect(clips.every((c) => c.leadInComplete)).toBe(true);
      if (name === "mono") expect(clips.some((c) => c.carrierFrame)).toBe(true); // 64k mono: reservoir spans > 3 frames
    },
  );

  it("CBR stays CBR: an Info header at the stream's bitrate", async () => {
    const src = await source("cbr");
    const clip = await cutClip(src.index, bytesSource(src.bytes), 20_000, 50_000);
    expect(readXing(clip.bytes)?.kind).toBe("Info");
    expect(decodeFrameHeader(readUint32BE(clip.bytes, 0))?.bitrateKbps).toBe(128);
  });

  it("leaves out junk the index skipped", async () => {
    const src = await source("cbr");
    const frames = walkFrames(src.index, spanForFrames(src.index, 0, 400), src.bytes, 0).offsets;
    const at = frames[300]!;
    const junk = new Uint8Array(777).fill(0x55);
    const dirty = new Uint8Array(src.bytes.length + junk.length);
    dirty.set(src.bytes.subarray(0, at));
    dirty.set(junk, at);
    dirty.set(src.bytes.subarray(at), at + junk.length);
    const index = await buildSeekIndex(bytesSource(dirty));
    expect(index.jumps).toHaveLength(1);
    const clip = await cutClip(index, bytesSource(dirty), 7000, 9000); // frames 268..345
    expect(clip.bytes.length).toBe((await cutClip(src.index, bytesSource(src.bytes), 7000, 9000)).bytes.length);
    await expectFaithfulClip(src, clip);
  });
});

// Generous: the first run also generates the FFmpeg fixtures.
describe("cut errors", { timeout: 60_000 }, () => {
  it("start at or past the end is start_beyond_end", async () => {
    const { index } = await source("cbr");
    expect(() => planCut(index, 40_000, 41_000)).toThrow(expect.objectContaining({ code: "start_beyond_end" }));
    expect(() => planCut(index, 39_999, 41_000)).not.toThrow();
  });

  it.each([
    [-1, 1000],
    [5000, 5000],
    [Number.NaN, 1000],
  ])("range %s..%s is invalid_parameter", async (start, end) => {
    const { index } = await source("cbr");
    expect(() => planCut(index, start, end)).toThrow(expect.objectContaining({ code: "invalid_parameter" }));
  });

  it("bytes of another file fail with IndexMismatchError, not a wrong clip", async () => {
    const cbr = await source("cbr");
    const other = await source("noXing");
    const plan = planCut(cbr.index, 5000, 8000);
    const bytes = other.bytes.subarray(plan.span.start, plan.span.end);
    expect(() => buildClip(cbr.index, plan, bytes)).toThrow(IndexMismatchError);
  });

  it("Layer II is indexed but not cut (unprocessable_source)", async () => {
    const { index } = await source("cbr");
    expect(() => planCut({ ...index, layer: 2 }, 0, 1000)).toThrow(
      expect.objectContaining({ code: "unprocessable_source" }),
    );
  });
});
