import type { Episode } from "../catalog/episode-catalog.js";
import type { AudioSource } from "../sources/audio-source.js";
import type { ClipStore } from "../store/clip-store.js";
import type { SeekIndexStore } from "../store/seek-index-store.js";
import type { CutRequest } from "./clip-cutter.js";
import type { CutOptions, SpawnFn } from "./ffmpeg-cut.js";

export interface EpisodeCutterDeps {
  /** The episode's audio for ranged reads (S3 or https); `deadline` stops reads still running then. */
  openSource: (episode: Episode, deadline: number) => AudioSource;
  store: () => ClipStore;
  indexes: () => SeekIndexStore;
  ffmpegPath: string;
  spawn?: SpawnFn;
  tmpRoot?: string;
}

/** What every FFmpeg run of a cut shares: the binary, the deadline, the test hooks, re-encoding. */
export function ffmpegOptions(
  deps: EpisodeCutterDeps,
  req: CutRequest,
  audio: AudioSource,
): Pick<CutOptions, "ffmpegPath" | "sourceLabel" | "mode" | "deadline" | "marginMs" | "spawn" | "tmpRoot"> {
  return {
    ffmpegPath: deps.ffmpegPath,
    sourceLabel: audio.label,
    mode: "encode",
    deadline: req.deadline,
    marginMs: req.marginMs,
    ...(deps.spawn ? { spawn: deps.spawn } : {}),
    ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
  };
}
