import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { seekIndexKey } from "../../core/index.js";
import { concat } from "../../core/mp3/index.js";
import { aacIndexHeadLength, aacSizesByteRange, decodeAacSizes, isAacIndex } from "../../core/mp4/aac-index-codec.js";
import { IndexMismatchError } from "../../core/mp3/index.js";
import { encodeMediaIndex, type MediaIndex } from "./media-index.js";
import { s3ErrorName, s3Failure, s3Status } from "./s3-errors.js";

/**
 * A stored index read: its bytes (all of an MP3 index; an AAC index's head, plus its sizes when the object
 * is small enough to come in the first read), the object's ETag and the AAC head length; "missing"; or
 * the failure to report.
 */
export type StoredRead =
  | {
      bytes: Uint8Array;
      etag: string | undefined;
      headLength?: number;
      /** An AAC index read in part: the sizes of its first packets, which came in the first read with the head. */
      leadingSizes?: Uint8Array;
    }
  | "missing"
  | { error: Error };

/** The first ranged read of a stored index: an MP3 index (~16 KB) or an AAC index's head fits in it. */
export const FIRST_READ_BYTES = 32 * 1024;

/** Reading and writing the per-episode index objects in the clips bucket. */
export class StoredIndexes {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly firstRead = FIRST_READ_BYTES,
  ) {}

  private async get(key: string, start: number, end: number, etag?: string) {
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}`, IfMatch: etag }),
    );
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
    const total = /\/(\d+)$/.exec(out.ContentRange ?? "")?.[1];
    return { bytes, etag: out.ETag, total: total === undefined ? start + bytes.length : Number(total) };
  }

  /** Never rejects (a prefetch may go unused). An AAC index's sizes past its head are left in the store. */
  async read(episodeId: string): Promise<StoredRead> {
    const key = seekIndexKey(episodeId);
    try {
      const first = await this.get(key, 0, this.firstRead);
      let bytes = first.bytes;
      const aac = isAacIndex(bytes) && bytes.length >= 9;
      const headLength = aac ? aacIndexHeadLength(bytes) : undefined;
      const wanted = headLength !== undefined && first.total > bytes.length ? headLength : first.total;
      if (wanted > bytes.length) {
        bytes = concat([bytes, (await this.get(key, bytes.length, wanted, first.etag)).bytes]);
      }
      // The first read's bytes past an AAC head are the sizes of the first packets: a clip near the start needs
      // no read of its window (#15: nothing a miss needs is read twice).
      const leading = headLength !== undefined && wanted < bytes.length ? (bytes.length - wanted) & ~1 : 0;
      return {
        bytes: bytes.subarray(0, wanted),
        etag: first.etag,
        ...(headLength !== undefined ? { headLength } : {}),
        ...(leading > 0 ? { leadingSizes: bytes.subarray(wanted, wanted + leading) } : {}),
      };
    } catch (err) {
      if (s3Status(err) === 404 || s3ErrorName(err) === "NoSuchKey") return "missing";
      // An empty object cannot satisfy a range: it is no index, so it is rebuilt.
      if (s3Status(err) === 416) return { bytes: new Uint8Array(0), etag: undefined };
      return { error: s3Failure(err, { action: "s3:GetObject", operation: "GetObject", bucket: this.bucket, key }) };
    }
  }

  /**
   * The sizes of packets [from, to) of a stored AAC index, by a ranged GET of that object as it was when its
   * head was read (If-Match): one rewritten since (the source changed) is an IndexMismatchError, so the cut
   * re-indexes instead of mixing two versions.
   */
  async readSizes(episodeId: string, at: { etag: string | undefined; headLength: number }, from: number, to: number) {
    const key = seekIndexKey(episodeId);
    const range = aacSizesByteRange(at.headLength, from, to);
    try {
      const { bytes } = await this.get(key, range.start, range.end, at.etag);
      if (bytes.length !== range.end - range.start)
        throw new IndexMismatchError("the stored AAC index is shorter than its head says");
      return { sizes: decodeAacSizes(bytes), bytes: bytes.length };
    } catch (err) {
      if (err instanceof IndexMismatchError) throw err;
      if (s3Status(err) === 412 || s3Status(err) === 404) throw new IndexMismatchError("the stored AAC index changed");
      throw s3Failure(err, { action: "s3:GetObject", operation: "GetObject", bucket: this.bucket, key });
    }
  }

  async write(episodeId: string, media: MediaIndex): Promise<void> {
    const key = seekIndexKey(episodeId);
    const body = encodeMediaIndex(media);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentType: "application/octet-stream",
        }),
      );
    } catch (err) {
      throw s3Failure(err, { action: "s3:PutObject", operation: "PutObject", bucket: this.bucket, key });
    }
  }
}
