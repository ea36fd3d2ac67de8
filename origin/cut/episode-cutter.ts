import { IndexMismatchError } from "../../core/mp3/index.js";
import type { AudioSource } from "../sources/audio-source.js";
import { SourceChangedError } from "../sources/s3-source.js";
import type { ClipCutter, CutOutcome, CutRequest } from "./clip-cutter.js";
import type { EpisodeCutterDeps } from "./cutter-deps.js";
import { cutWithFfmpeg } from "./ffmpeg-fallback.js";
import { cutFrames } from "./frame-copy.js";

export type { EpisodeCutterDeps } from "./cutter-deps.js";

/**
 * The production cutter. MP3 sources: the episode's seek index turns the range into one ranged GET of
 * exactly the frames needed, copied in-process (frame-copy.ts). Anything else, and MP3 the index cannot
 * read, is re-encoded by FFmpeg (ffmpeg-fallback.ts), and the log line says why.
 */
export function createEpisodeCutter(deps: EpisodeCutterDeps): ClipCutter {
  async function cutFrom(req: CutRequest, audio: AudioSource): Promise<CutOutcome> {
    const indexes = deps.indexes();
    const found = await indexes.lookup(req.episode.id, audio, req.meter);
    if (found.kind === "not-mp3") return cutWithFfmpeg(deps, req, audio, found);
    try {
      return await cutFrames(deps, req, audio, found);
    } catch (err) {
      // The episode was re-uploaded under the same location (caught by If-Match, or by the frame walk on
      // a store that ignores If-Match): index it again, once, and cut from that.
      if (!(err instanceof SourceChangedError || err instanceof IndexMismatchError)) throw err;
      indexes.forget(req.episode.id);
      audio.close();
      const fresh = deps.openSource(req.episode, req.deadline);
      try {
        const rebuilt = await indexes.build(req.episode.id, fresh, req.meter);
        if (rebuilt.kind === "not-mp3") return await cutWithFfmpeg(deps, req, fresh, rebuilt);
        return await cutFrames(deps, req, fresh, rebuilt);
      } finally {
        fresh.close();
      }
    }
  }

  return {
    prepare(episodeId) {
      deps.indexes().prefetch(episodeId);
    },
    async speculate(req) {
      if (req.precise) return undefined;
      const audio = deps.openSource(req.episode, req.deadline);
      try {
        const found = await deps.indexes().known(req.episode.id, audio, req.meter);
        return found?.kind === "mp3" ? await cutFrames(deps, req, audio, found) : undefined;
      } catch {
        return undefined;
      } finally {
        audio.close();
      }
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
