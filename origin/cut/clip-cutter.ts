import type { ClipContainer } from "../../core/index.js";
import type { Episode } from "../catalog/episode-catalog.js";
import type { ReadMeter } from "../sources/s3-source.js";

/** What the "cut" step asks for: the catalog has been read and the end clamped to the episode. */
export interface CutRequest {
  episode: Episode;
  startMs: number;
  endMs: number;
  /** Sample-accurate re-encode instead of copying frames. */
  precise: boolean;
  /** `format=mp3`: an MP3 clip even from an AAC source (its packets are cut, then re-encoded). */
  format?: "mp3";
  /** Epoch ms by which the cut must be done (FFmpeg is killed then). */
  deadline: number;
  /** Only for the timeout message. */
  marginMs: number;
  /** Counts every source and index byte read for this cut. */
  meter: ReadMeter;
}

export interface CutOutcome {
  bytes: Uint8Array;
  /** How it was cut: frames copied in-process, those frames re-encoded by FFmpeg, or FFmpeg alone. */
  method: "frames" | "frames+ffmpeg" | "ffmpeg" | "packets" | "packets+ffmpeg";
  /** MP3 (frames, FFmpeg) or M4A (AAC packets copied). */
  container: ClipContainer;
  /** Set when the audio itself ends before the requested end (the catalog's duration was longer). */
  audioEndMs?: number;
  /** Extra fields for the request's log line. */
  detail: Record<string, unknown>;
}

/**
 * The read-and-cut step, behind an interface so the benchmark can swap in the naive strategies and
 * measure them through the very same pipeline (lookup, upload, record, pre-sign).
 */
export interface ClipCutter {
  /**
   * A hint that a cut of this episode may follow: start fetching what it needs (the seek index) while the
   * pipeline checks the store and reads the catalog. Never throws; a failed prefetch is retried by cut.
   */
  prepare?(episodeId: string): void;
  cut(req: CutRequest): Promise<CutOutcome>;
  /**
   * The cut, started before the store check has said it is needed (#15), only when it is cheap: an MP3 whose
   * index is known, frames copied in-process. Undefined for anything else (FFmpeg, an index to build) and
   * on any failure, which the real cut then meets and reports itself. Never throws.
   */
  speculate?(req: CutRequest): Promise<CutOutcome | undefined>;
  /**
   * The catalog answer this container last cut the episode with, while its index is still in memory: the
   * pipeline may speculate with it before the catalog answers, and keeps that cut only if the catalog agrees.
   */
  recall?(episodeId: string): Episode | undefined;
}
