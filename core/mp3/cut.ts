/**
 * Copy-mode MP3 cutting: pick the frames that hold [startMs, endMs), fetch them (plus bit-reservoir
 * lead-in) with one ranged read, and put a fresh Xing/Info + LAME frame in front whose encoder delay
 * and padding make gapless decoders (FFmpeg/Chrome, Firefox, Apple) output exactly the requested
 * samples. No decoding, no re-encoding: the audio frames are the source's (repacked, losslessly, to
 * one bitrate so that players seek by arithmetic: repack.ts).
 *
 * Sample bookkeeping (all counts in samples): decoded index = source-timeline sample + T0, where T0 is
 * the source's own delay + 529 when FFmpeg honours its LAME tag, else 0. A clip of frames k0…m plays
 * decoded [k0·spf + delay + 529, (m+1)·spf − padding + 529), so delay and padding are solved from that.
 */
import { readExact, type ByteSource } from "./byte-source.js";
import { crc16 } from "./crc16.js";
import { planCut, type CutPlan } from "./cut-plan.js";
import { decodeFrameHeader, readUint32BE, type FrameHeader } from "./frame-header.js";
import { walkFrames } from "./frame-walk.js";
import { repackFrames, type RepackOptions, type SourceFrame } from "./repack.js";
import { anchorFrames, gatherReservoir, reservoirStart, silentFrame, type FrameAccess } from "./reservoir.js";
import { DECODER_DELAY, timelineOffset, type SeekIndex } from "./seek-index.js";
import { buildToc, writeInfoFrame } from "./info-frame.js";

/** Encoder strings that both FFmpeg and Firefox accept for gapless trimming. */
const PORTABLE_ENCODERS = ["LAME", "Lavc"];
const FALLBACK_ENCODER = new Uint8Array([0x4c, 0x61, 0x76, 0x63]); // "Lavc"

export { planCut, type CutPlan } from "./cut-plan.js";

export interface ClipResult {
  bytes: Uint8Array;
  plan: CutPlan;
  /** Audio frames after the Info frame. */
  frames: number;
  leadInFrames: number;
  /** A synthesized silent frame leads in (carrying the reservoir, or making room for the delay). */
  carrierFrame: boolean;
  /** False when the bit reservoir reaches back further than the delay field allows (very low bitrates). */
  leadInComplete: boolean;
  encoderDelay: number;
  encoderPadding: number;
  /** Frames repacked (lossless) to this one bitrate so players seek by arithmetic; null: copied as they are. */
  repackedKbps: number | null;
}
/** Where the clip's audio starts: frames k0… and, when needed, a synthesized carrier frame in front. */
interface LeadIn {
  k0: number;
  carrier: Uint8Array | null;
  leadInComplete: boolean;
}

function walkedAccess(index: SeekIndex, plan: CutPlan, bytes: Uint8Array): FrameAccess {
  const { span } = plan;
  const walked = walkFrames(index, span, bytes, span.start);
  return {
    bytes,
    header: (f) => (f >= span.fromFrame ? walked.headers[f - span.fromFrame] : undefined),
    offset: (f) =>
      f >= span.fromFrame && f < span.toFrame ? (walked.offsets[f - span.fromFrame] ?? 0) - span.start : undefined,
  };
}

/** Real frames when their reservoir fits under the delay limit; otherwise a carrier frame. */
function chooseLeadIn(index: SeekIndex, plan: CutPlan, access: FrameAccess, template: FrameHeader): LeadIn {
  const k = plan.firstFrame;
  const anchor = k - anchorFrames(index.version);
  let k0 = anchor <= 0 ? 0 : reservoirStart(access, anchor);
  let carrier: Uint8Array | null = null;
  let leadInComplete = true;
  if (k0 < 0 || k - k0 > plan.maxLeadIn) {
    const reservoir = gatherReservoir(access, anchor);
    k0 = anchor;
    if (reservoir) {
      carrier = silentFrame(template, reservoir);
    } else {
      leadInComplete = false;
      k0 = Math.max(plan.span.fromFrame, k - plan.maxLeadIn);
    }
  }
  // Within 529 samples of the start of a file without gapless info there is nothing to trim; a silent
  // frame in front (decoder state after it equals a fresh start) makes room for the delay.
  if (!carrier && k0 === 0 && delayFrom(index, plan, 0) < 0) carrier = silentFrame(template, new Uint8Array(0));
  return { k0, carrier, leadInComplete };
}

/** The LAME delay that makes a clip whose first frame takes slot `firstSlot` start at plan.startSample. */
function delayFrom(index: SeekIndex, plan: CutPlan, firstSlot: number): number {
  return plan.startSample + timelineOffset(index) - firstSlot * index.samplesPerFrame - DECODER_DELAY;
}

/** The clip's audio frames in order: the carrier (if any), then source frames k0…m without the junk between them. */
function clipFrames(access: FrameAccess, lead: LeadIn, lastFrame: number): SourceFrame[] {
  const frames: SourceFrame[] = [];
  if (lead.carrier) {
    const header = decodeFrameHeader(readUint32BE(lead.carrier, 0));
    if (!header) throw new RangeError("carrier frame without a valid header");
    frames.push({ header, bytes: lead.carrier });
  }
  for (let f = lead.k0; f <= lastFrame; f++) {
    const header = access.header(f);
    const at = access.offset(f);
    if (!header || at === undefined) throw new RangeError(`frame ${f} outside the walked span`);
    frames.push({ header, bytes: access.bytes.subarray(at, at + header.frameLength) });
  }
  return frames;
}

interface ClipAudio {
  audio: Uint8Array;
  /** Offset of each frame in `audio`. */
  starts: Float64Array;
  /** Every frame has the same size: players seek by arithmetic, and the header says Info. */
  constant: boolean;
  /** A frame of the audio, for the Info frame's header fields. */
  template: FrameHeader;
  repackedKbps: number | null;
  /** Lead-in frames repacking left out at the front. */
  dropped: number;
}

/**
 * The frames back to back, laid out so that players find frame i at first frame + i × average length:
 * VBR is repacked (lossless) to the smallest bitrate that holds it, CBR whose padding bytes fall
 * elsewhere is re-laid at its own bitrate, and frames all of one size are copied as they are. When
 * repacking is impossible the frames are copied too (VBR then seeks by its Xing TOC).
 */
function assembleAudio(
  frames: readonly SourceFrame[],
  template: FrameHeader,
  repack: (RepackOptions & { maxGrowth: number }) | null,
): ClipAudio {
  const bitrate = frames[0]?.header.bitrateKbps ?? 0;
  const cbr = frames.every((f) => f.header.bitrateKbps === bitrate);
  const oneSize = frames.every((f) => f.bytes.length === frames[0]?.bytes.length);
  const repacked =
    repack === null || oneSize ? null : repackFrames(frames, cbr ? { ...repack, bitrates: [bitrate] } : repack);
  const header = repacked && decodeFrameHeader(readUint32BE(repacked.audio, 0));
  const copiedLength = frames.reduce((n, f) => n + f.bytes.length, 0);
  // Every listener downloads the clip: exact seeking is not worth any size (a VBR peak can need 320 kbps).
  if (repacked && header && repacked.audio.length <= (repack?.maxGrowth ?? 1) * copiedLength) {
    const starts = Float64Array.from(repacked.frameStarts);
    const { audio, bitrateKbps, dropped } = repacked;
    return { audio, starts, constant: true, template: header, repackedKbps: bitrateKbps, dropped };
  }
  const starts = new Float64Array(frames.length);
  let length = 0;
  frames.forEach((f, i) => {
    starts[i] = length;
    length += f.bytes.length;
  });
  const audio = new Uint8Array(length);
  frames.forEach((f, i) => audio.set(f.bytes, starts[i] ?? 0));
  return { audio, starts, constant: cbr, template, repackedKbps: null, dropped: 0 };
}

function infoFrame(index: SeekIndex, clip: ClipAudio, encoderDelay: number, encoderPadding: number): Uint8Array {
  const lame = index.lame;
  const portable =
    lame && PORTABLE_ENCODERS.some((e) => String.fromCharCode(...lame.encoderBytes.subarray(0, 4)) === e);
  const count = clip.starts.length;
  const spec = {
    template: clip.template,
    kind: clip.constant ? "Info" : "Xing",
    frames: count,
    audioBytes: clip.audio.length,
    toc: buildToc(count, clip.audio.length, (f) => clip.starts[f] ?? 0),
    quality: index.xingQuality ?? 0,
    lame: {
      encoderBytes: portable ? lame.encoderBytes : FALLBACK_ENCODER,
      revisionAndMethod: lame?.revisionAndMethod ?? 0,
      lowpass: lame?.lowpass ?? 0,
      encodingFlags: lame?.encodingFlags ?? 0,
      bitrate: lame?.bitrate ?? 0,
      misc: lame?.misc ?? 0,
      presetAndSurround: lame?.presetAndSurround ?? 0,
      encoderDelay,
      encoderPadding,
      musicCrc: crc16(clip.audio),
    },
  } as const;
  // The byte count says the audio after this frame, not the whole file as LAME writes it: FFmpeg (so
  // Chromium) and Firefox seek to first-audio-frame + fraction × bytes, so counting the Info frame too
  // lands every seek up to one frame late (measured: Firefox +1 frame on every seek, LAME's own files too).
  const sized = writeInfoFrame(spec);
  return writeInfoFrame({ ...spec, audioBytes: Math.max(0, clip.audio.length - sized.length) });
}

export interface ClipOptions {
  /** Repack VBR frames to a constant frame size (default true); false keeps the source's frames and a Xing TOC. */
  repack?: boolean;
  /**
   * The most a repacked clip may weigh against its frames as copied (default 1.5); above it the frames are
   * copied with a Xing TOC, and players seek by the TOC (within ~1/256 of the clip) instead of exactly.
   */
  maxRepackGrowth?: number;
}

export const DEFAULT_MAX_REPACK_GROWTH = 1.5;

/** Builds the clip from `bytes` = source[plan.span.start, plan.span.end). */
export function buildClip(index: SeekIndex, plan: CutPlan, bytes: Uint8Array, options: ClipOptions = {}): ClipResult {
  const { span } = plan;
  if (bytes.length !== span.end - span.start) {
    throw new RangeError(`expected ${span.end - span.start} source bytes, got ${bytes.length}`);
  }
  const access = walkedAccess(index, plan, bytes);
  const template = access.header(plan.firstFrame);
  if (!template) throw new RangeError("first wanted frame outside the walked span");
  const lead = chooseLeadIn(index, plan, access, template);
  const leadStart = lead.carrier ? lead.k0 - 1 : lead.k0; // the carrier takes the frame slot before k0
  // From the anchor on, frames must decode as they did in the source; before it they are trimmed lead-in.
  const exactFrom = Math.max(0, plan.firstFrame - anchorFrames(index.version) - leadStart);
  const repack = { exactFrom, dropLeadIn: delayFrom(index, plan, leadStart + exactFrom) >= 0 };
  const clip = assembleAudio(
    clipFrames(access, lead, plan.lastFrame),
    template,
    (options.repack ?? true) ? { ...repack, maxGrowth: options.maxRepackGrowth ?? DEFAULT_MAX_REPACK_GROWTH } : null,
  );
  const virtualStart = leadStart + clip.dropped;
  const encoderDelay = delayFrom(index, plan, virtualStart);
  const encoderPadding =
    (plan.lastFrame + 1) * index.samplesPerFrame - (plan.endSample + timelineOffset(index)) + DECODER_DELAY;
  const info = infoFrame(index, clip, encoderDelay, encoderPadding);
  const out = new Uint8Array(info.length + clip.audio.length);
  out.set(info);
  out.set(clip.audio, info.length);
  return {
    bytes: out,
    plan,
    frames: clip.starts.length,
    leadInFrames: plan.firstFrame - virtualStart,
    carrierFrame: lead.carrier !== null && clip.dropped === 0,
    leadInComplete: lead.leadInComplete,
    encoderDelay,
    encoderPadding,
    repackedKbps: clip.repackedKbps,
  };
}

/** Plans, reads the source range once, and builds the clip. */
export async function cutClip(
  index: SeekIndex,
  source: ByteSource,
  startMs: number,
  endMs: number,
  options: ClipOptions = {},
): Promise<ClipResult> {
  const plan = planCut(index, startMs, endMs);
  const bytes = await readExact(source, plan.span.start, plan.span.end);
  return buildClip(index, plan, bytes, options);
}
