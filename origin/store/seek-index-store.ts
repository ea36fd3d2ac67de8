import { ClipError } from "../../core/index.js";
import { describeFormat, detectFormat } from "../../core/format/detect.js";
import { buildSeekIndex, type SeekIndex } from "../../core/mp3/index.js";
import { buildAacIndex, type AacIndex } from "../../core/mp4/aac-index.js";
import { buildAdtsIndex } from "../../core/mp4/adts-index.js";
import { hasSizes, withSizes } from "../../core/mp4/packet-layout.js";
import { decodeMediaIndex, describes, sourceTag, type MediaIndex } from "./media-index.js";
import type { StoredBuild, StoredIndexes, StoredRead } from "./stored-index.js";
import type { Episode } from "../catalog/episode-catalog.js";
import type { AudioSource } from "../sources/audio-source.js";
import type { ReadMeter, SourceVersion } from "../sources/s3-source.js";

interface Found {
  version: SourceVersion;
  /** An AAC index read from the store holds only its head: which build's sizes to read, for aacWindow. */
  stored?: StoredBuild;
  origin: "memory" | "stored" | "built";
  /** Set when a built index could not be stored: the cut goes on, the next container rebuilds. */
  storeError?: string;
}

/**
 * The index of an MP3 source (frames copied) or an MP4/M4A source (AAC packets copied), or "not-mp3" (and
 * why, for the log line) for sources only FFmpeg can cut.
 */
export type IndexLookup =
  | ({ kind: "mp3"; index: SeekIndex } & Found)
  | ({ kind: "aac"; index: AacIndex } & Found)
  /** `mp3`: MPEG audio layer III that the index cannot read (FFmpeg is told the format). */
  | { kind: "not-mp3"; reason: string; mp3?: true };

function lookupOf(media: MediaIndex, found: Found): Exclude<IndexLookup, { kind: "not-mp3" }> {
  return media.kind === "mp3"
    ? { kind: "mp3", index: media.index, ...found }
    : { kind: "aac", index: media.index, ...found };
}

/** How long a prefetched index read waits for its cut; a miss's cut follows within milliseconds. */
const PREFETCH_TTL_MS = 5_000;
const PREFETCH_ENTRIES = 16;

export interface SeekIndexStoreOptions {
  /** Indexes kept in memory per container (about 16 KB each). */
  memoryEntries?: number;
}

/**
 * Per-episode indexes (MP3 seek index or AAC index): in memory, then in MongoDB (StoredIndexes), else built
 * by scanning the source's frame headers once and stored. Concurrent misses in one container share one
 * build; builds in two containers describe the same bytes, so the last write winning is harmless.
 */
export class SeekIndexStore {
  private readonly memory = new Map<
    string,
    {
      media: MediaIndex;
      version: SourceVersion;
      loc: string;
      stored?: Found["stored"];
      /** The catalog answer this index last cut a clip for (see recall). */
      episode?: Episode;
    }
  >();
  private readonly notMp3 = new Map<
    string,
    { where: string; version: SourceVersion; found: Extract<IndexLookup, { kind: "not-mp3" }> }
  >();
  private readonly building = new Map<string, Promise<IndexLookup>>();
  /** Episodes whose whole table of AAC packet sizes is being read into memory (see loadAllSizes). */
  private readonly loadingSizes = new Set<string>();
  /** Episodes this container has cut one windowed AAC clip of (see loadAllSizes). */
  private readonly windowedOnce = new Set<string>();
  /** Stored-index reads started by prefetch, waiting for the cut that uses them. */
  private readonly prefetched = new Map<string, { at: number; read: Promise<StoredRead> }>();
  private readonly memoryEntries: number;
  private readonly objects: StoredIndexes;

  constructor(objects: StoredIndexes, options: SeekIndexStoreOptions = {}) {
    this.memoryEntries = options.memoryEntries ?? 64;
    this.objects = objects;
  }

  /**
   * The AAC index with the sizes of packets [from, to) in it: as it is when they are (built here, or a small
   * index), else with that window read from the stored index (counted as index bytes read).
   */
  async aacWindow(
    episodeId: string,
    found: Extract<IndexLookup, { kind: "aac" }>,
    from: number,
    to: number,
    meter: ReadMeter,
  ): Promise<AacIndex> {
    if (hasSizes(found.index, from, to) || !found.stored) return found.index;
    this.loadAllSizes(episodeId, found);
    meter.requests++;
    const { sizes, bytes } = await this.objects.readSizes(episodeId, found.stored, from, to);
    meter.bytes += bytes;
    return withSizes(found.index, from, sizes);
  }

  /**
   * A container that cuts a second clip of an episode is serving that episode: then, beside that cut's own
   * window, the whole table of sizes (~310 KB for an hour) is read once in the background, so its later cuts
   * need no read before their clip's GET. Not at the first cut: a container that cuts one clip of an episode
   * reads only that clip's window, and no first miss shares S3 with a read it does not need. Not metered: no
   * request waits for it. A failed read is retried by the next cut; an entry replaced meanwhile (the index
   * changed) is left alone.
   */
  private loadAllSizes(episodeId: string, found: Extract<IndexLookup, { kind: "aac" }>): void {
    const { stored } = found;
    if (!this.windowedOnce.has(episodeId)) {
      // Bounded like the memory: an id is only a few bytes, but a container may see many episodes.
      if (this.windowedOnce.size >= 4 * this.memoryEntries) this.windowedOnce.clear();
      this.windowedOnce.add(episodeId);
      return;
    }
    if (!stored || this.loadingSizes.has(episodeId)) return;
    this.loadingSizes.add(episodeId);
    void this.objects
      .readSizes(episodeId, stored, 0, found.index.packetCount)
      .then(({ sizes }) => {
        const entry = this.memory.get(episodeId);
        if (entry?.media.kind !== "aac" || entry.stored?.build !== stored.build) return;
        const media: MediaIndex = { kind: "aac", index: withSizes(entry.media.index, 0, sizes) };
        const episode = entry.episode ? { episode: entry.episode } : {};
        this.memory.set(episodeId, { media, version: entry.version, loc: entry.loc, ...episode });
      })
      .catch(() => undefined)
      .finally(() => this.loadingSizes.delete(episodeId));
  }

  /**
   * Starts reading the stored index of an episode whose cut may follow, so the read overlaps the store check
   * and the catalog lookup (one round trip less on a miss). Nothing happens when the index is in memory or
   * already on its way. Unused reads are dropped after PREFETCH_TTL_MS, and at most PREFETCH_ENTRIES are held.
   */
  prefetch(episodeId: string): void {
    if (this.memory.has(episodeId) || this.notMp3.has(episodeId) || this.prefetched.has(episodeId)) return;
    const now = Date.now();
    for (const [id, entry] of this.prefetched) {
      if (now - entry.at > PREFETCH_TTL_MS || this.prefetched.size >= PREFETCH_ENTRIES) this.prefetched.delete(id);
    }
    this.prefetched.set(episodeId, { at: now, read: this.objects.read(episodeId) });
  }

  async lookup(episodeId: string, source: AudioSource, meter: ReadMeter): Promise<IndexLookup> {
    return (await this.known(episodeId, source, meter)) ?? this.build(episodeId, source, meter);
  }

  /** What is known without scanning the source: in memory, or stored; undefined when it would take a build. */
  async known(episodeId: string, source: AudioSource, meter: ReadMeter): Promise<IndexLookup | undefined> {
    const where = source.label;
    const cached = this.memory.get(episodeId);
    if (cached && cached.loc === where) {
      // Map order is insertion order: re-inserting makes this the most recently used entry.
      this.memory.delete(episodeId);
      this.memory.set(episodeId, cached);
      const stored = cached.stored ? { stored: cached.stored } : {};
      return lookupOf(cached.media, { version: cached.version, origin: "memory", ...stored });
    }
    const known = this.notMp3.get(episodeId);
    if (known?.where === where) {
      // One HEAD, small beside the FFmpeg run that follows: a truncated or wrong upload repaired under the same
      // key (an M4A whose moov had not arrived yet) is indexed again instead of being re-encoded for good.
      const now = await source.head(meter);
      if (now.etag === known.version.etag && now.size === known.version.size) return known.found;
      this.notMp3.delete(episodeId);
    }
    const stored = await this.readStored(episodeId, source, meter);
    if (!stored) return undefined;
    this.remember(episodeId, where, stored.media, stored.version, stored.stored);
    const at = stored.stored ? { stored: stored.stored } : {};
    return lookupOf(stored.media, { version: stored.version, origin: "stored", ...at });
  }

  /**
   * Notes that `episode`, as the catalog described it, was cut from the index in memory for its source
   * (`loc`): the next miss of that episode can start its cut before the catalog answers (recall).
   */
  rememberEpisode(episode: Episode, loc: string): void {
    const entry = this.memory.get(episode.id);
    if (entry && entry.loc === loc) entry.episode = episode;
  }

  /**
   * The catalog answer the last cut of this episode in this container used, while its index is in memory: a
   * guess the pipeline cuts by before the catalog answers, and drops when the catalog says otherwise.
   */
  recall(episodeId: string): Episode | undefined {
    return this.memory.get(episodeId)?.episode;
  }

  /** Drops what is known about an episode, e.g. after its source changed under the index. */
  forget(episodeId: string): void {
    this.memory.delete(episodeId);
    this.notMp3.delete(episodeId);
  }

  /** Scans the source and stores a fresh index (also used by `npm run episodes add`). */
  build(episodeId: string, source: AudioSource, meter: ReadMeter): Promise<IndexLookup> {
    const running = this.building.get(episodeId);
    if (running) return running;
    const job = this.scan(episodeId, source, meter).finally(() => this.building.delete(episodeId));
    this.building.set(episodeId, job);
    return job;
  }

  private async scan(episodeId: string, audio: AudioSource, meter: ReadMeter): Promise<IndexLookup> {
    const where = audio.label;
    const version = await audio.head(meter);
    const source = audio.bytes(version, meter);
    // Two small reads tell an MP3 from anything else before a scan would read megabytes looking for frames.
    const format = await detectFormat(async (start, length) =>
      start >= version.size ? new Uint8Array(0) : source.readRange(start, Math.min(version.size, start + length)),
    );
    if (format.kind === "empty" || format.kind === "tags-only") {
      throw new ClipError("unprocessable_source", `The audio of episode ${episodeId} is ${describeFormat(format)}`);
    }
    const isMp3 = format.kind === "mpeg" && format.layer === 3;
    if (!isMp3 && format.kind !== "mp4" && format.kind !== "adts") {
      return this.notIndexed(episodeId, where, version, describeFormat(format));
    }
    const tag = { sourceTag: sourceTag(audio, version.etag) };
    let media: MediaIndex;
    try {
      if (isMp3) media = { kind: "mp3", index: await buildSeekIndex(source, tag) };
      else if (format.kind === "adts") {
        media = { kind: "aac", index: await buildAdtsIndex(source, { ...tag, audioStart: format.audioStart }) };
      } else media = { kind: "aac", index: await buildAacIndex(source, tag) };
    } catch (err) {
      // Audio the index cannot read (free-format MP3, megabytes of junk before the first frame, HE-AAC,
      // fragmented MP4): FFmpeg may still decode it, so the cut goes there instead of being refused.
      if (!(err instanceof ClipError && err.code === "unprocessable_source")) throw err;
      const reason = `${isMp3 ? "seek" : "AAC"} index refused: ${err.message}`;
      return this.notIndexed(episodeId, where, version, reason, isMp3);
    }
    const storeError = await this.objects.write(episodeId, media).then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    this.remember(episodeId, where, media, version);
    return lookupOf(media, { version, origin: "built", ...(storeError ? { storeError } : {}) });
  }

  private notIndexed(
    episodeId: string,
    where: string,
    version: SourceVersion,
    reason: string,
    mp3 = false,
  ): IndexLookup {
    const found = { kind: "not-mp3", reason, ...(mp3 ? { mp3 } : {}) } as const;
    this.notMp3.set(episodeId, { where, version, found });
    return found;
  }

  private remember(
    episodeId: string,
    loc: string,
    media: MediaIndex,
    version: SourceVersion,
    stored?: Found["stored"],
  ): void {
    this.memory.delete(episodeId);
    this.memory.set(episodeId, { media, version, loc, ...(stored ? { stored } : {}) });
    while (this.memory.size > this.memoryEntries) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.memory.delete(oldest);
    }
  }

  private async readStored(
    episodeId: string,
    source: AudioSource,
    meter: ReadMeter,
  ): Promise<{ media: MediaIndex; version: SourceVersion; stored?: Found["stored"] } | undefined> {
    const early = this.prefetched.get(episodeId);
    this.prefetched.delete(episodeId);
    let read = early && Date.now() - early.at <= PREFETCH_TTL_MS ? await early.read : undefined;
    // A prefetch that failed is not the answer: S3 may have recovered since, and a fresh read reports its own error.
    if (read === undefined || (typeof read === "object" && "error" in read)) read = await this.objects.read(episodeId);
    meter.requests++;
    if (read === "missing") return undefined;
    if ("error" in read) throw read.error;
    meter.bytes += read.bytes.length;
    try {
      const media = decodeMediaIndex(read.bytes);
      const version = describes(media.index, source);
      // An index of another file (the episode now points elsewhere) is rebuilt, not trusted.
      if (!version) return undefined;
      return { media, version, ...(media.kind === "aac" ? { stored: read.at } : {}) };
    } catch {
      // Corrupt, truncated or written by an older format version: rebuild it.
      return undefined;
    }
  }
}
