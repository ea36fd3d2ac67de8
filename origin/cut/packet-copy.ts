import { ClipError } from "../../core/index.js";
import { readExact } from "../../core/mp3/index.js";
import { aacPacketRange, aacSizesNeeded, buildAacClip, planAacCut, type AacCutPlan } from "../../core/mp4/aac-cut.js";
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
  const { index, plan } = await planFor(deps, found, req, audio);
  const source = audio.bytes(found.version, req.meter);
  const began = Date.now();
  const bytes = await readExact(source, plan.span.start, plan.span.end);
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

/** As for MP3 (frame-copy.ts): a start past the indexed end checks once that the source has not changed. */
async function planFor(
  deps: EpisodeCutterDeps,
  found: AacLookup,
  req: CutRequest,
  audio: AudioSource,
): Promise<{ index: AacIndex; plan: AacCutPlan }> {
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
