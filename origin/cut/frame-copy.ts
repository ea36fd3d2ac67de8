import { ClipError } from "../../core/index.js";
import { buildClip, planCut, readExact, type CutPlan, type SeekIndex } from "../../core/mp3/index.js";
import type { AudioSource } from "../sources/audio-source.js";
import { SourceChangedError } from "../sources/s3-source.js";
import type { IndexLookup } from "../store/seek-index-store.js";
import type { CutOutcome, CutRequest } from "./clip-cutter.js";
import { ffmpegOptions, type EpisodeCutterDeps } from "./cutter-deps.js";
import { ffmpegCut } from "./ffmpeg-cut.js";

/**
 * An indexed MP3: one ranged GET of exactly the frames needed, copied in-process behind a gapless Info/LAME
 * header (measured ~4 ms against ~64 ms just to start an FFmpeg process here). `precise=1` pipes those
 * same frames to FFmpeg only to re-encode them.
 */
export async function cutFrames(
  deps: EpisodeCutterDeps,
  req: CutRequest,
  audio: AudioSource,
  found: Extract<IndexLookup, { kind: "mp3" }>,
): Promise<CutOutcome> {
  const { meter } = req;
  const plan = await planFor(found, req, audio);
  const source = audio.bytes(found.version, meter);
  const began = Date.now();
  const bytes = await readExact(source, plan.span.start, plan.span.end);
  const readMs = Date.now() - began;
  const clip = buildClip(found.index, plan, bytes);
  const detail: Record<string, unknown> = {
    seek_index: found.origin,
    read_ms: readMs,
    frames: clip.frames,
    lead_in_frames: clip.leadInFrames,
    ...(found.storeError ? { seek_index_store_error: found.storeError } : {}),
    ...(clip.leadInComplete ? {} : { lead_in_incomplete: true }),
  };
  const audioEnd = plan.clampedToEnd ? { audioEndMs: plan.endMs } : {};
  if (!req.precise) return { bytes: clip.bytes, method: "frames", container: "mp3", ...audioEnd, detail };
  const encoded = await ffmpegCut({
    ...ffmpegOptions(deps, req, audio),
    source: { mp3: clip.bytes },
    startMs: plan.startMs,
    durationMs: plan.endMs - plan.startMs,
    encodeArgs: encodeArgsLike(found.index),
  });
  return {
    bytes: encoded.bytes,
    method: "frames+ffmpeg",
    container: "mp3",
    ...audioEnd,
    detail: { ...detail, ffmpeg_ms: encoded.ffmpegMs },
  };
}

/**
 * A start past the end of the indexed audio: the catalog says the episode is longer than its audio. An
 * index kept from before (in memory, or stored by another container) may describe an older, truncated
 * upload that has since been repaired, and planning happens before the If-Match read that would notice:
 * so such an index is checked against the source once (a HEAD), and a changed source is indexed again
 * instead of being refused until the container is recycled.
 */
async function planFor(
  found: Extract<IndexLookup, { kind: "mp3" }>,
  req: CutRequest,
  audio: AudioSource,
): Promise<CutPlan> {
  try {
    return planCut(found.index, req.startMs, req.endMs);
  } catch (err) {
    if (err instanceof ClipError && err.code === "start_beyond_end") {
      if (found.origin !== "built") {
        const now = await audio.head(req.meter);
        if (now.etag !== found.version.etag || now.size !== found.version.size) {
          throw new SourceChangedError(audio.label);
        }
      }
      throw new ClipError(
        "unprocessable_source",
        `The audio of episode ${req.episode.id} ends before ${req.startMs} ms: it is shorter than the catalog's duration_ms`,
      );
    }
    throw err;
  }
}

/** Re-encode at the source's own rate: its bitrate for CBR, a high VBR quality for VBR. */
function encodeArgsLike(index: SeekIndex): string[] {
  const cbr = index.minBitrateKbps === index.maxBitrateKbps;
  return ["-c:a", "libmp3lame", ...(cbr ? ["-b:a", `${index.minBitrateKbps}k`] : ["-q:a", "2"])];
}
