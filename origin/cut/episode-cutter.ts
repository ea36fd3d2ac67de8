import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ClipError } from "../../core/index.js";
import {
  buildClip,
  IndexMismatchError,
  planCut,
  readExact,
  type CutPlan,
  type SeekIndex,
} from "../../core/mp3/index.js";
import type { AudioSource } from "../sources/audio-source.js";
import type { ClipCutter, CutOutcome, CutRequest } from "./clip-cutter.js";
import type { ClipStore } from "../store/clip-store.js";
import { ffmpegCut, type SpawnFn } from "./ffmpeg-cut.js";
import { isHttpsLocation, type Episode } from "../catalog/episode-catalog.js";
import { ffmpegKilled } from "../lambda/deadline.js";
import { SourceChangedError } from "../sources/s3-source.js";
import type { IndexLookup, SeekIndexStore } from "../store/seek-index-store.js";

export interface EpisodeCutterDeps {
  /** The episode's audio for ranged reads (S3 today; any AudioSource works). */
  /** `deadline` (epoch ms) stops reads still running then (https; S3 calls have their own timeouts). */
  openSource: (episode: Episode, deadline: number) => AudioSource;
  store: () => ClipStore;
  indexes: () => SeekIndexStore;
  ffmpegPath: string;
  spawn?: SpawnFn;
  tmpRoot?: string;
}

/** Reads of a non-MP3 https source on its way to a temp file for FFmpeg. */
const DOWNLOAD_CHUNK = 8 * 1024 * 1024;

/** FFmpeg's source URL only has to outlive one cut; 15 minutes is far beyond any Lambda run. */
const SOURCE_URL_EXPIRES_S = 900;

/**
 * The production cutter. MP3 sources: the episode's seek index turns the range into one ranged GET of
 * exactly the frames needed, copied in-process behind a gapless Info/LAME header (measured ~4 ms
 * against ~64 ms just to start an FFmpeg process here, and FFmpeg reading the URL itself reads far more
 * than the clip). `precise=1` pipes those same frames to FFmpeg only to re-encode them. Anything that
 * is not MP3 is re-encoded by FFmpeg reading a pre-signed URL.
 */
export function createEpisodeCutter(deps: EpisodeCutterDeps): ClipCutter {
  async function cutFrames(
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
    if (!req.precise) return { bytes: clip.bytes, method: "frames", ...audioEnd, detail };
    const encoded = await ffmpegCut({
      ffmpegPath: deps.ffmpegPath,
      source: { mp3: clip.bytes },
      sourceLabel: audio.label,
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

  /** `found.reason` says in the log line why this source took the FFmpeg path. */
  async function cutWithFfmpeg(
    req: CutRequest,
    audio: AudioSource,
    found: Extract<IndexLookup, { kind: "not-mp3" }>,
  ): Promise<CutOutcome> {
    const location = req.episode.audio;
    const reason = found.reason;
    const inputFormat = found.mp3 ? ({ inputFormat: "mp3", decodeFromStart: true } as const) : {};
    // MP3 the index refused goes through a temp file too: FFmpeg seeking over HTTP into such a file (junk
    // where the bitrate says the start is) stalled until the deadline (measured 25.9 s on versitygw),
    // while the same bytes from a file take 0.2 s; the index scan has read most of the file already.
    if (isHttpsLocation(location) || found.mp3) return downloadThenFfmpeg(req, audio, reason, inputFormat);
    const result = await ffmpegCut({
      ffmpegPath: deps.ffmpegPath,
      source: { url: await deps.store().presignSource(location, SOURCE_URL_EXPIRES_S) },
      sourceLabel: audio.label,
      startMs: req.startMs,
      durationMs: req.endMs - req.startMs,
      // Only sources that are not MP3 Layer III, or that the index cannot read, get here: re-encoded.
      mode: "encode",
      ...inputFormat,
      deadline: req.deadline,
      marginMs: req.marginMs,
      ...(deps.spawn ? { spawn: deps.spawn } : {}),
      ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
    });
    if (result.bytesRead !== undefined) req.meter.bytes += result.bytesRead;
    return { bytes: result.bytes, method: "ffmpeg", detail: { ffmpeg_ms: result.ffmpegMs, ffmpeg_because: reason } };
  }

  /**
   * A non-MP3 https source: FFmpeg must not open the URL itself (its own DNS lookups would bypass the
   * private-address checks), so the file comes through the checked session (at most SOURCE_MAX_BYTES)
   * into a temp file that FFmpeg reads.
   */
  async function downloadThenFfmpeg(
    req: CutRequest,
    audio: AudioSource,
    reason: string,
    inputFormat: { inputFormat?: "mp3"; decodeFromStart?: boolean },
  ): Promise<CutOutcome> {
    const dir = await mkdtemp(path.join(deps.tmpRoot ?? os.tmpdir(), "edgeclip-source-"));
    try {
      const version = await audio.head(req.meter);
      const source = audio.bytes(version, req.meter);
      const file = path.join(dir, "source");
      const out = await open(file, "w");
      try {
        for (let at = 0; at < version.size; at += DOWNLOAD_CHUNK) {
          if (Date.now() >= req.deadline) throw ffmpegKilled(0, req.marginMs);
          await out.write(await readExact(source, at, Math.min(version.size, at + DOWNLOAD_CHUNK)));
        }
      } finally {
        await out.close();
      }
      const result = await ffmpegCut({
        ffmpegPath: deps.ffmpegPath,
        source: { url: file },
        sourceLabel: audio.label,
        startMs: req.startMs,
        durationMs: req.endMs - req.startMs,
        mode: "encode",
        ...inputFormat,
        deadline: req.deadline,
        marginMs: req.marginMs,
        ...(deps.spawn ? { spawn: deps.spawn } : {}),
        ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
      });
      return {
        bytes: result.bytes,
        method: "ffmpeg",
        detail: { ffmpeg_ms: result.ffmpegMs, downloaded: true, ffmpeg_because: reason },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function cutFrom(req: CutRequest, audio: AudioSource): Promise<CutOutcome> {
    const indexes = deps.indexes();
    const found = await indexes.lookup(req.episode.id, audio, req.meter);
    if (found.kind === "not-mp3") return cutWithFfmpeg(req, audio, found);
    try {
      return await cutFrames(req, audio, found);
    } catch (err) {
      // The episode was re-uploaded under the same location (caught by If-Match, or by the frame walk on
      // a store that ignores If-Match): index it again, once, and cut from that.
      if (!(err instanceof SourceChangedError || err instanceof IndexMismatchError)) throw err;
      indexes.forget(req.episode.id);
      audio.close();
      const fresh = deps.openSource(req.episode, req.deadline);
      try {
        const rebuilt = await indexes.build(req.episode.id, fresh, req.meter);
        if (rebuilt.kind === "not-mp3") return await cutWithFfmpeg(req, fresh, rebuilt);
        return await cutFrames(req, fresh, rebuilt);
      } finally {
        fresh.close();
      }
    }
  }

  return {
    prepare(episodeId) {
      deps.indexes().prefetch(episodeId);
    },
    async cut(req) {
      const audio = deps.openSource(req.episode, req.deadline);
      try {
        return await cutFrom(req, audio);
      } finally {
        audio.close();
      }
    },
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
