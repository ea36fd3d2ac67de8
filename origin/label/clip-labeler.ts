import { clipLabel } from "../../core/index.js";
import { buildId3v2Tag, id3v2TagLength, readId3Fields, type Id3Fields } from "../../core/mp3/index.js";
import type { Episode } from "../catalog/episode-catalog.js";
import type { AudioSource } from "../sources/audio-source.js";
import { newMeter } from "../sources/s3-source.js";

/** What a clip's tag says about it. */
export interface LabelFacts {
  episode: Episode;
  startMs: number;
  endMs: number;
}

export interface ClipLabeler {
  /** The clip with its tag in front; bytes that are not MP3 frames (an M4A clip) come back as they are. */
  label(bytes: Uint8Array, facts: LabelFacts, deadline: number): Promise<{ bytes: Uint8Array; tagBytes: number }>;
}

/** A cover bigger than this would outweigh a short clip; it is left out (the share page has the catalog's image). */
export const MAX_COVER_BYTES = 256 * 1024;
/**
 * Source tags bigger than this are not read at all (podcast tags with chapters run to megabytes, and such a
 * cover would be left out anyway): the source is read for its tag at most once per container and episode.
 */
const MAX_SOURCE_TAG = MAX_COVER_BYTES + 64 * 1024;
const REMEMBERED = 32;

export const TXXX = {
  episodeId: "EDGECLIP_EPISODE_ID",
  startMs: "EDGECLIP_SOURCE_START_MS",
  endMs: "EDGECLIP_SOURCE_END_MS",
};

/** The source's own leading tag: one small read, then the tag itself when it is of a sensible size. */
async function readSourceTags(source: AudioSource): Promise<Id3Fields> {
  const meter = newMeter();
  const version = await source.head(meter);
  const bytes = source.bytes(version, meter);
  const head = await bytes.readRange(0, Math.min(10, version.size));
  const length = id3v2TagLength(head);
  if (length === null || length > MAX_SOURCE_TAG || length > version.size) return {};
  return readId3Fields(await bytes.readRange(0, length));
}

/** Skips the ID3v2 tags a cutter may have written (FFmpeg's encoder tag), so ours is the only one. */
function audioStart(bytes: Uint8Array): number {
  let at = 0;
  for (let length = id3v2TagLength(bytes, at); length !== null; length = id3v2TagLength(bytes, at)) at += length;
  return at;
}

const isMpegFrame = (bytes: Uint8Array, at: number) => bytes[at] === 0xff && ((bytes[at + 1] ?? 0) & 0xe0) === 0xe0;

/**
 * Tags each new clip with the catalog's title and show (else the source's own TIT2/TALB), the source's
 * front cover, and where in the episode it comes from. The tag goes before the Xing/Info frame, which stays
 * the first audio frame, so players' gapless trimming and seeking are as they were.
 */
export function clipLabeler(openSource: (episode: Episode, deadline: number) => AudioSource): ClipLabeler {
  const sourceTags = new Map<string, Promise<Id3Fields>>();

  function tagsOf(episode: Episode, deadline: number): Promise<Id3Fields> {
    const source = openSource(episode, deadline);
    const key = `${episode.id}\n${source.label}`;
    let tags = sourceTags.get(key);
    if (!tags) {
      // A source whose tag cannot be read still gets a label from the catalog.
      tags = readSourceTags(source)
        .catch(() => ({}))
        .finally(() => source.close());
      sourceTags.set(key, tags);
      while (sourceTags.size > REMEMBERED) sourceTags.delete(sourceTags.keys().next().value as string);
    } else source.close();
    return tags;
  }

  return {
    async label(bytes, { episode, startMs, endMs }, deadline) {
      const start = audioStart(bytes);
      if (!isMpegFrame(bytes, start)) return { bytes, tagBytes: 0 };
      const source = await tagsOf(episode, deadline);
      const title = episode.title ?? source.title ?? episode.id;
      const show = episode.show ?? source.album ?? source.artist;
      const picture = source.picture && source.picture.data.length <= MAX_COVER_BYTES ? source.picture : undefined;
      const tag = buildId3v2Tag({
        title: clipLabel(title, startMs, endMs),
        ...(show ? { album: show, artist: show } : {}),
        user: { [TXXX.episodeId]: episode.id, [TXXX.startMs]: String(startMs), [TXXX.endMs]: String(endMs) },
        ...(picture ? { picture } : {}),
      });
      const out = new Uint8Array(tag.length + bytes.length - start);
      out.set(tag, 0);
      out.set(bytes.subarray(start), tag.length);
      return { bytes: out, tagBytes: tag.length };
    },
  };
}
