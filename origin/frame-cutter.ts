import { ClipError } from "../core/index.js";
import { buildClip, IndexMismatchError, planCut, readExact, type CutPlan, type SeekIndex } from "../core/mp3/index.js";
import type { AudioSource } from "./audio-source.js";
import type { ClipCutter, CutOutcome, CutRequest } from "./clip-cutter.js";
import type { ClipStore } from "./clip-store.js";
import { cutClip as ffmpegCut, type SpawnFn } from "./cutter.js";
import type { Episode } from "./episode-catalog.js";
import { SourceChangedError } from "./s3-source.js";
import type { IndexLookup, SeekIndexStore } from "./seek-index-store.js";

export interface FrameCutterDeps {
  /** The episode's audio for ranged reads (S3 today; any AudioSource works). */
  openSource: (episode: Episode) => AudioSource;
  store: () => ClipStore;
  indexes: () => SeekIndexStore;
  ffmpegPath: string;
  spawn?: SpawnFn;
  tmpRoot?: string;
}

/** FFmpeg's source URL only has to outlive one cut; 15 minutes is far beyond any Lambda run. */
const SOURCE_URL_EXPIRES_S = 900;

/**
 * The production cutter. MP3 sources: the episode's seek index turns the range into one ranged GET of
 * exactly the frames needed, copied in-process behind a gapless Info/LAME header (measured ~4 ms
 * against ~64 ms just to start an FFmpeg process here, and FFmpeg reading the URL itself reads far more
 * than the clip). `precise=1` pipes those same frames to FFmpeg only to re-encode them. Anything that
 * is not MP3 is re-encoded by FFmpeg reading a pre-signed URL.
 */
export function createFrameCutter(deps: FrameCutterDeps): ClipCutter {
  async function cutFrames(req: CutRequest, found: Extract<IndexLookup, { kind: "mp3" }>): Promise<CutOutcome> {
    const { episode, meter } = req;
    const plan = planFor(found.index, req);
    const source = deps.openSource(episode).bytes(found.version, meter);
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
    if (!req.precise) return { bytes: clip.bytes, method: "frames", ...audioEnd, detail };
    const encoded = await ffmpegCut({
      ffmpegPath: deps.ffmpegPath,
      source: { mp3: clip.bytes },
      sourceLabel: `s3://${episode.audio.bucket}/${episode.audio.key}`,
      startMs: plan.startMs,
      durationMs: plan.endMs - plan.startMs,
      mode: "encode",
      encodeArgs: encodeArgsLike(found.index),
      deadline: req.deadline,
      marginMs: req.marginMs,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
    return {
      bytes: encoded.bytes,
      method: "frames+ffmpeg",
      ...audioEnd,
      detail: { ...detail, ffmpeg_ms: encoded.ffmpegMs },
    };
  }

  async function cutWithFfmpeg(req: CutRequest): Promise<CutOutcome> {
    const { episode } = req;
    const store = deps.store();
    const result = await ffmpegCut({
      ffmpegPath: deps.ffmpegPath,
      source: { url: await store.presignSource(episode.audio, SOURCE_URL_EXPIRES_S) },
      sourceLabel: `s3://${episode.audio.bucket}/${episode.audio.key}`,
      startMs: req.startMs,
      durationMs: req.endMs - req.startMs,
      // Only sources that are not MP3 Layer III get here: they can only be re-encoded.
      mode: "encode",
      deadline: req.deadline,
      marginMs: req.marginMs,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
    if (result.bytesRead !== undefined) req.meter.bytes += result.bytesRead;
    return { bytes: result.bytes, method: "ffmpeg", detail: { ffmpeg_ms: result.ffmpegMs } };
  }

  return {
    async cut(req) {
      const indexes = deps.indexes();
      const found = await indexes.lookup(req.episode.id, deps.openSource(req.episode), req.meter);
      if (found.kind === "not-mp3") return cutWithFfmpeg(req);
      try {
        return await cutFrames(req, found);
      } catch (err) {
        // The episode was re-uploaded under the same key (caught by If-Match, or by the frame walk on a
        // store that ignores If-Match): index it again, once, and cut from that.
        if (!(err instanceof SourceChangedError || err instanceof IndexMismatchError)) throw err;
        indexes.forget(req.episode.id);
        const rebuilt = await indexes.build(req.episode.id, deps.openSource(req.episode), req.meter);
        if (rebuilt.kind === "not-mp3") return cutWithFfmpeg(req);
        return cutFrames(req, rebuilt);
      }
    },
  };
}

function planFor(index: SeekIndex, req: CutRequest): CutPlan {
  try {
    return planCut(index, req.startMs, req.endMs);
  } catch (err) {
    // The catalog said the episode is longer than its audio really is.
    if (err instanceof ClipError && err.code === "start_beyond_end") {
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
