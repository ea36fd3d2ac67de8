import { IndexMismatchError } from "../../core/mp3/index.js";
import type { AudioSource } from "../sources/audio-source.js";
import { SourceChangedError } from "../sources/s3-source.js";
import type { ClipCutter, CutOutcome, CutRequest } from "./clip-cutter.js";
import type { EpisodeCutterDeps } from "./cutter-deps.js";
import { cutWithFfmpeg } from "./ffmpeg-fallback.js";
import { cutFrames } from "./frame-copy.js";
import { cutPackets } from "./packet-copy.js";
import type { IndexLookup } from "../store/seek-index-store.js";

export type { EpisodeCutterDeps } from "./cutter-deps.js";

/**
 * The production cutter. MP3 sources: the episode's seek index turns the range into one ranged GET of
 * exactly the frames needed, copied in-process (frame-copy.ts). MP4/M4A sources: the AAC index does the
 * same for AAC packets, into an M4A (packet-copy.ts). Which one is decided by the bytes, never the name.
 * Anything else, and audio the indexes cannot read, is re-encoded by FFmpeg (ffmpeg-fallback.ts), and the
 * log line says why.
 */
export function createEpisodeCutter(deps: EpisodeCutterDeps): ClipCutter {
  /** A clip copied from an index: what the catalog said of the episode is kept beside it (recall). */
  async function copied(req: CutRequest, audio: AudioSource, cut: Promise<CutOutcome>): Promise<CutOutcome> {
    const outcome = await cut;
    deps.indexes().rememberEpisode(req.episode, audio.label);
    return outcome;
  }

  function cutIndexed(req: CutRequest, audio: AudioSource, found: IndexLookup): Promise<CutOutcome> {
    if (found.kind === "not-mp3") return cutWithFfmpeg(deps, req, audio, found);
    if (found.kind === "aac") return copied(req, audio, cutPackets(deps, req, audio, found));
    return copied(req, audio, cutFrames(deps, req, audio, found));
  }

  async function cutFrom(req: CutRequest, audio: AudioSource): Promise<CutOutcome> {
    const indexes = deps.indexes();
    const found = await indexes.lookup(req.episode.id, audio, req.meter);
    try {
      return await cutIndexed(req, audio, found);
    } catch (err) {
      // The episode was re-uploaded under the same location (caught by If-Match, or by the frame walk on
      // a store that ignores If-Match): index it again, once, and cut from that.
      if (!(err instanceof SourceChangedError || err instanceof IndexMismatchError)) throw err;
      indexes.forget(req.episode.id);
      audio.close();
      const fresh = deps.openSource(req.episode, req.deadline);
      try {
        return await cutIndexed(req, fresh, await indexes.build(req.episode.id, fresh, req.meter));
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
        // Only the kinds that cost one ranged GET of about the clip's size (plus, for AAC, a small window of
        // its index): never FFmpeg, whose work a hit would throw away.
        if (found?.kind === "mp3" || found?.kind === "aac") return await cutIndexed(req, audio, found);
        return undefined;
      } catch {
        return undefined;
      } finally {
        audio.close();
      }
    },
    recall(episodeId) {
      return deps.indexes().recall(episodeId);
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
