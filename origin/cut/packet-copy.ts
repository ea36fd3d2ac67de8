import { ClipError } from "../../core/index.js";
import { IndexMismatchError, readExact, type ByteSource } from "../../core/mp3/index.js";
import {
  aacPacketRange,
  aacSizesNeeded,
  buildAacClip,
  planAacCut,
  type AacCutPlan,
  type AacPacketRange,
} from "../../core/mp4/aac-cut.js";
import { hasSizes, spanBound } from "../../core/mp4/packet-layout.js";
import type { AacIndex } from "../../core/mp4/aac-index.js";
import type { AudioSource } from "../sources/audio-source.js";
import { SourceChangedError } from "../sources/s3-source.js";
import type { IndexLookup } from "../store/seek-index-store.js";
import type { CutOutcome, CutRequest } from "./clip-cutter.js";
import { ffmpegOptions, type EpisodeCutterDeps } from "./cutter-deps.js";
import { ffmpegCut } from "./ffmpeg-cut.js";

type AacLookup = Extract<IndexLookup, { kind: "aac" }>;

/**
 * An indexed MP4/M4A: one ranged GET of exactly the AAC packets needed (plus pre-roll), copied into an M4A
 * whose edit list starts on the requested sample. Already sample-exact, so `precise=1` changes nothing. An
 * index read from the store holds only its head; the packet sizes the clip needs come from the store first.
 */
export async function cutPackets(
  deps: EpisodeCutterDeps,
  req: CutRequest,
  audio: AudioSource,
  found: AacLookup,
): Promise<CutOutcome> {
  const source = audio.bytes(found.version, req.meter);
  const began = Date.now();
  const { index, plan, bytes } = await planAndRead(deps, found, req, audio, source);
  const readMs = Date.now() - began;
  const clip = buildAacClip(index, plan, bytes);
  const audioEnd = plan.clampedToEnd ? { audioEndMs: plan.endMs } : {};
  const detail = {
    seek_index: found.origin,
    read_ms: readMs,
    packets: clip.packets,
    ...(found.storeError ? { seek_index_store_error: found.storeError } : {}),
  };
  if (req.format !== "mp3") return { bytes: clip.bytes, method: "packets", container: "m4a", ...audioEnd, detail };
  // format=mp3: the same samples, re-encoded for players that cannot play AAC.
  const encoded = await ffmpegCut({
    ...ffmpegOptions(deps, req, audio),
    source: { m4a: clip.bytes },
    startMs: plan.startMs,
    durationMs: plan.endMs - plan.startMs,
  });
  return {
    bytes: encoded.bytes,
    method: "packets+ffmpeg",
    container: "mp3",
    ...audioEnd,
    detail: { ...detail, ffmpeg_ms: encoded.ffmpegMs },
  };
}

type Planned = { index: AacIndex; plan: AacCutPlan };

/**
 * The plan and the source bytes it names. When the sizes the plan needs are still in the store, the source is
 * read beside them, from the checkpoints' bound on where the packets are (a few KB more than the clip), so a
 * cold container waits for one round trip instead of two in a row (#15); the exact span is cut from it.
 */
async function planAndRead(
  deps: EpisodeCutterDeps,
  found: AacLookup,
  req: CutRequest,
  audio: AudioSource,
  source: ByteSource,
): Promise<Planned & { bytes: Uint8Array }> {
  const range = rangeOrUndefined(found.index, req);
  const need = range && aacSizesNeeded(found.index, range);
  const bound =
    range && need && found.stored && !hasSizes(found.index, need.from, need.to)
      ? spanBound(found.index, range.firstPacket, range.lastPacket)
      : undefined;
  if (!bound) {
    const planned = await planFor(deps, found, req, audio);
    return { ...planned, bytes: await readExact(source, planned.plan.span.start, planned.plan.span.end) };
  }
  const read = readExact(source, bound.start, bound.end);
  // Settled either way: a plan that fails first must not leave the read's own failure unhandled.
  read.catch(() => {});
  const planned = await planFor(deps, found, req, audio);
  const wide = await read;
  const { start, end } = planned.plan.span;
  if (start < bound.start || end > bound.end)
    throw new IndexMismatchError("an AAC packet lies outside its checkpoints");
  return { ...planned, bytes: wide.subarray(start - bound.start, end - bound.start) };
}

function rangeOrUndefined(index: AacIndex, req: CutRequest): AacPacketRange | undefined {
  try {
    return aacPacketRange(index, req.startMs, req.endMs);
  } catch {
    return undefined; // planFor meets the same error and says what it means
  }
}

/** As for MP3 (frame-copy.ts): a start past the indexed end checks once that the source has not changed. */
async function planFor(
  deps: EpisodeCutterDeps,
  found: AacLookup,
  req: CutRequest,
  audio: AudioSource,
): Promise<Planned> {
  try {
    const need = aacSizesNeeded(found.index, aacPacketRange(found.index, req.startMs, req.endMs));
    const index = await deps.indexes().aacWindow(req.episode.id, found, need.from, need.to, req.meter);
    return { index, plan: planAacCut(index, req.startMs, req.endMs) };
  } catch (err) {
    if (!(err instanceof ClipError && err.code === "start_beyond_end")) throw err;
    if (found.origin !== "built") {
      const now = await audio.head(req.meter);
      if (now.etag !== found.version.etag || now.size !== found.version.size) throw new SourceChangedError(audio.label);
    }
    throw new ClipError(
      "unprocessable_source",
      `The audio of episode ${req.episode.id} ends before ${req.startMs} ms: it is shorter than the catalog's duration_ms`,
    );
  }
}
