/**
 * The per-episode seek index: built once by scanning every frame header with ranged reads, then
 * used to turn a time into the byte offset of the frame that holds it, exactly, for CBR and VBR.
 *
 * It keeps the offset of every `stride`-th frame (a checkpoint) plus the rare frames that do not
 * start where the previous one ended (junk, mid-stream tags). A cut reads from the checkpoint before
 * its first frame to the checkpoint after its last, then walks the frame headers inside those bytes:
 * at most 2 × stride frames more than the clip, with no second request. See index-codec.ts for why
 * this beats storing every frame size, and build-seek-index.ts for the scan.
 */
import { ClipError } from "../errors.js";
import type { MpegLayer, MpegVersion } from "./frame-header.js";
import type { LameTag } from "./xing.js";

export const INDEX_FORMAT_VERSION = 1;
/** Samples every Layer III decoder outputs before the first encoded sample (FFmpeg's 528 + 1). */
export const DECODER_DELAY = 529;

export interface IndexJump {
  frame: number;
  offset: number;
}

export interface SeekIndex {
  formatVersion: number;
  sourceSize: number;
  /** Caller's identity of the source version (e.g. S3 ETag); "" when not given. */
  sourceTag: string;
  version: MpegVersion;
  layer: MpegLayer;
  sampleRate: number;
  samplesPerFrame: number;
  channels: 1 | 2;
  minBitrateKbps: number;
  maxBitrateKbps: number;
  /** The Xing/Info/VBRI frame before the audio, which players skip. */
  headerFrame: { kind: "Xing" | "Info" | "VBRI"; offset: number; length: number } | null;
  /** LAME tag delay/padding that FFmpeg applies to this file; null when it plays raw frames. */
  gapless: { encoderDelay: number; encoderPadding: number } | null;
  /** Encoder fields copied into clip LAME tags (null without a LAME tag). */
  lame: Pick<
    LameTag,
    "encoderBytes" | "revisionAndMethod" | "lowpass" | "encodingFlags" | "bitrate" | "misc" | "presetAndSurround"
  > | null;
  xingQuality: number | null;
  /** Offset of the first audio frame and end of the last one. */
  audioStart: number;
  audioEnd: number;
  frameCount: number;
  stride: number;
  /** Offsets of frames 0, stride, 2 × stride, … */
  checkpoints: Float64Array;
  /** Frames that start after skipped bytes, ascending by frame. */
  jumps: IndexJump[];
}

export interface BuildIndexOptions {
  /** Bytes per ranged read (default 2 MiB). */
  chunkSize?: number;
  /** Reads kept in flight ahead of the parser (default 1). */
  readAhead?: number;
  /** Checkpoint spacing in frames (default: 16, more for very long files so the index stays ~16 KB). */
  stride?: number;
  sourceTag?: string;
  /** How far past the tags to look for the first frame before giving up (default 1 MiB). */
  maxLeadingJunk?: number;
}

/** Raised when the bytes at an indexed position are not the frame the index says: rebuild the index. */
export class IndexMismatchError extends ClipError {
  constructor(message: string) {
    super("internal", `seek index does not match the audio (stale index?): ${message}`);
  }
}

export function defaultStride(frameCount: number): number {
  return Math.min(65535, Math.max(16, Math.ceil(frameCount / 8192)));
}

/** Source-timeline sample 0 sits at this decoded-sample index (what FFmpeg trims at the start). */
export function timelineOffset(index: SeekIndex): number {
  return index.gapless ? index.gapless.encoderDelay + DECODER_DELAY : 0;
}

/** Samples FFmpeg outputs for the whole file, gapless trimming applied. */
export function totalSamples(index: SeekIndex): number {
  const decoded = index.frameCount * index.samplesPerFrame;
  if (!index.gapless) return decoded;
  const end = Math.min(decoded, decoded - index.gapless.encoderPadding + DECODER_DELAY);
  return Math.max(0, end - timelineOffset(index));
}

export function durationMs(index: SeekIndex): number {
  return (totalSamples(index) * 1000) / index.sampleRate;
}

/** The frame whose decoded output holds source-timeline sample `sample`. */
export function frameForSample(index: SeekIndex, sample: number): number {
  return Math.floor((sample + timelineOffset(index)) / index.samplesPerFrame);
}
