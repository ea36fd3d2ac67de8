import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readExact } from "../../core/mp3/index.js";
import { isHttpsLocation } from "../catalog/episode-catalog.js";
import { ffmpegKilled } from "../lambda/deadline.js";
import type { AudioSource } from "../sources/audio-source.js";
import type { IndexLookup } from "../store/seek-index-store.js";
import type { CutOutcome, CutRequest } from "./clip-cutter.js";
import { ffmpegOptions, type EpisodeCutterDeps } from "./cutter-deps.js";
import { ffmpegCut } from "./ffmpeg-cut.js";

/** Reads of a non-MP3 https source on its way to a temp file for FFmpeg. */
const DOWNLOAD_CHUNK = 8 * 1024 * 1024;

/** FFmpeg's source URL only has to outlive one cut; 15 minutes is far beyond any Lambda run. */
const SOURCE_URL_EXPIRES_S = 900;

/** `found.reason` says in the log line why this source took the FFmpeg path. */
export async function cutWithFfmpeg(
  deps: EpisodeCutterDeps,
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
  if (isHttpsLocation(location) || found.mp3) return downloadThenFfmpeg(deps, req, audio, reason, inputFormat);
  // Only sources that are not MP3 Layer III, or that the index cannot read, get here: re-encoded.
  const result = await ffmpegCut({
    ...ffmpegOptions(deps, req, audio),
    source: { url: await deps.store().presignSource(location, SOURCE_URL_EXPIRES_S) },
    startMs: req.startMs,
    durationMs: req.endMs - req.startMs,
    ...inputFormat,
  });
  if (result.bytesRead !== undefined) req.meter.bytes += result.bytesRead;
  return {
    bytes: result.bytes,
    method: "ffmpeg",
    container: "mp3",
    detail: { ffmpeg_ms: result.ffmpegMs, ffmpeg_because: reason },
  };
}

/**
 * A non-MP3 https source: FFmpeg must not open the URL itself (its own DNS lookups would bypass the
 * private-address checks), so the file comes through the checked session (at most SOURCE_MAX_BYTES)
 * into a temp file that FFmpeg reads.
 */
async function downloadThenFfmpeg(
  deps: EpisodeCutterDeps,
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
      ...ffmpegOptions(deps, req, audio),
      source: { url: file },
      startMs: req.startMs,
      durationMs: req.endMs - req.startMs,
      ...inputFormat,
    });
    return {
      bytes: result.bytes,
      method: "ffmpeg",
      container: "mp3",
      detail: { ffmpeg_ms: result.ffmpegMs, downloaded: true, ffmpeg_because: reason },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
