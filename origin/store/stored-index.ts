import { Binary, MongoServerError, ObjectId, type Collection, type Document } from "mongodb";
import { concat, IndexMismatchError } from "../../core/mp3/index.js";
import { aacIndexHeadLength, decodeAacSizes } from "../../core/mp4/aac-index-codec.js";
import { mongoFailure, type MongoWhere } from "../catalog/mongo-failure.js";
import { encodeMediaIndex, type MediaIndex } from "./media-index.js";

/**
 * A stored index read: its head's bytes (all of an MP3 index; an AAC index without its sizes) and the build
 * they belong to, with the chunk size of that build's AAC sizes; "missing"; or the failure to report.
 */
export type StoredRead = { bytes: Uint8Array; at: StoredBuild } | "missing" | { error: Error };

/** Which write of an episode's index a head came from: its AAC sizes are read from that write's chunks only. */
export interface StoredBuild {
  build: string;
  chunkBytes: number;
}

/**
 * The AAC sizes (2 bytes per packet, ~310 KB for an hour) are split into chunks of this many bytes (4,096
 * packets, about 95 s at 44.1 kHz): a cut reads the one or two chunks its clip's packets are in.
 */
export const SIZES_CHUNK_BYTES = 8 * 1024;

const DUPLICATE_KEY = 11000;

/** Episode ids never contain '/', so a chunk's id cannot be an episode's. */
const chunkId = (episodeId: string, build: string, n: number) => `${episodeId}/${build}/${n}`;

/** A plain Uint8Array view (the driver hands out Node Buffers; the decoders keep views of what they get). */
const bytesOf = (value: unknown): Uint8Array | undefined =>
  value instanceof Binary ? new Uint8Array(value.buffer.buffer, value.buffer.byteOffset, value.length()) : undefined;

/**
 * The per-episode indexes in MongoDB (SEEK_INDEX_COLLECTION), beside the catalog a miss reads anyway: the
 * index read starts with the catalog lookup and costs one small indexed read, where an S3 GET's first byte
 * takes 10-30 ms. One head document per episode (`_id` is the episode id); an AAC index's sizes go in chunk
 * documents named after the build that wrote them, so a head and its sizes always belong together.
 */
export class StoredIndexes {
  constructor(
    private readonly docs: Collection<Document>,
    private readonly where: MongoWhere,
  ) {}

  /** Never rejects (a prefetch may go unused). */
  async read(episodeId: string): Promise<StoredRead> {
    try {
      const head = await this.docs.findOne({ _id: episodeId as never });
      if (head === null) return "missing";
      const chunkBytes = Number(head.chunk_bytes);
      const bytes = bytesOf(head.index);
      // A document this code did not write reads as no index at all: it is rebuilt.
      if (
        !bytes ||
        typeof head.build !== "string" ||
        !Number.isInteger(chunkBytes) ||
        chunkBytes <= 0 ||
        chunkBytes % 2
      )
        return { bytes: new Uint8Array(0), at: { build: "", chunkBytes: SIZES_CHUNK_BYTES } };
      return { bytes, at: { build: head.build, chunkBytes } };
    } catch (err) {
      return { error: mongoFailure(err, "seek index read", this.where) };
    }
  }

  /**
   * The sizes of packets [from, to) of a stored AAC index, from the chunks of the build its head came from:
   * a chunk gone (the index was rewritten since, the source changed) is an IndexMismatchError, so the cut
   * re-indexes instead of mixing two versions. `bytes` counts what was read (whole chunks).
   */
  async readSizes(episodeId: string, at: StoredBuild, from: number, to: number) {
    const start = 2 * from;
    const end = 2 * to;
    if (end <= start) return { sizes: new Uint32Array(0), bytes: 0 };
    const first = Math.floor(start / at.chunkBytes);
    const ids = Array.from({ length: Math.floor((end - 1) / at.chunkBytes) - first + 1 }, (_, i) =>
      chunkId(episodeId, at.build, first + i),
    );
    let parts: (Uint8Array | undefined)[];
    try {
      // One findOne per chunk (a window is one or two), side by side: an _id lookup on every server, where
      // FerretDB's SQLite backend answers `_id: {$in}` by scanning the whole collection (86 ms against 6).
      const found = await Promise.all(ids.map((id) => this.docs.findOne({ _id: id as never })));
      parts = found.map((doc) => bytesOf(doc?.sizes));
    } catch (err) {
      throw mongoFailure(err, "seek index read", this.where);
    }
    if (parts.some((part) => part === undefined)) throw new IndexMismatchError("the stored AAC index changed");
    const bytes = concat(parts as Uint8Array[]);
    const offset = first * at.chunkBytes;
    const window = bytes.subarray(start - offset, end - offset);
    if (window.length !== end - start)
      throw new IndexMismatchError("the stored AAC index is shorter than its head says");
    return { sizes: decodeAacSizes(window), bytes: bytes.length };
  }

  /**
   * Stores an index under a new build: its chunks first, then the head that names them, then the chunks of
   * the build it replaced. Two containers writing at once both finish consistent: the last head wins, and a
   * writer deletes only a build it saw replaced, which is never the last head's. (Where findAndModify is not
   * atomic, as on FerretDB, a lost race can leave a build's chunks unreferenced: never read, and removed by
   * a purge.) A failure before the head leaves nothing a read can reach, and removes its chunks when the
   * server still answers.
   */
  async write(episodeId: string, media: MediaIndex): Promise<void> {
    const build = new ObjectId().toHexString();
    const whole = encodeMediaIndex(media);
    // An MP3 index is one document. So is an AAC index whose sizes fit in one chunk (an episode under ~95 s):
    // its cuts need no second read. Longer AAC keeps its head here and its sizes in chunks.
    const headLength = media.kind === "aac" ? aacIndexHeadLength(whole) : whole.length;
    const head = whole.length - headLength <= SIZES_CHUNK_BYTES ? whole : whole.subarray(0, headLength);
    const chunks: Document[] = [];
    for (let at = head.length, n = 0; at < whole.length; at += SIZES_CHUNK_BYTES, n++) {
      const sizes = new Binary(whole.subarray(at, Math.min(whole.length, at + SIZES_CHUNK_BYTES)));
      chunks.push({ _id: chunkId(episodeId, build, n), episode: episodeId, build, sizes });
    }
    const doc = {
      episode: episodeId,
      build,
      index: new Binary(head),
      chunk_bytes: SIZES_CHUNK_BYTES,
      written_at: new Date(),
    };
    let replaced: Document | null;
    try {
      if (chunks.length > 0) await this.docs.insertMany(chunks, { ordered: true });
      replaced = await this.replaceHead(episodeId, doc);
    } catch (err) {
      if (chunks.length > 0) await this.docs.deleteMany({ episode: episodeId, build }).catch(() => undefined);
      throw mongoFailure(err, "seek index write", this.where);
    }
    // The new index is in place; chunks of the old build that fail to go here are never read again, and
    // `episodes purge` removes them with the rest of the episode's documents.
    if (typeof replaced?.build === "string" && replaced.build !== build) {
      await this.docs.deleteMany({ episode: episodeId, build: replaced.build }).catch(() => undefined);
    }
  }

  /** The head before this write (null when none). Two first writes racing: the loser's upsert meets the winner's _id, and replaces it. */
  private async replaceHead(episodeId: string, doc: Document): Promise<Document | null> {
    const replace = () =>
      this.docs.findOneAndReplace({ _id: episodeId as never }, doc, { upsert: true, returnDocument: "before" });
    try {
      return await replace();
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return replace();
      throw err;
    }
  }

  /** Every document of an episode's index (its head and all chunks, of any build), for purges. */
  async remove(episodeId: string): Promise<number> {
    try {
      return (await this.docs.deleteMany({ episode: episodeId })).deletedCount;
    } catch (err) {
      throw mongoFailure(err, "seek index removal", this.where);
    }
  }
}
