import { createHash } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { isWaveformJson, waveformKey, type WaveformJson } from "../../core/index.js";
import type { SourceVersion } from "../sources/s3-source.js";
import { s3ErrorName, s3Failure, s3Status } from "./s3-errors.js";

/** Waveform bytes as stored and served: the JSON text exactly, so every layer hashes the same bytes. */
export interface StoredWaveform {
  bytes: Uint8Array;
  waveform: WaveformJson;
}

const TAG = "source-tag";

/**
 * Which source bytes a waveform was decoded from, as a hash: the object's metadata must not name the
 * bucket or host (it travels with copies), and a hash of location and ETag is all a check needs.
 */
export function waveformSourceTag(label: string, version: SourceVersion): string {
  return createHash("sha256")
    .update(JSON.stringify({ label, etag: version.etag, size: version.size }))
    .digest("hex");
}

export function encodeWaveform(waveform: WaveformJson): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(waveform));
}

/** Per-episode peaks in the clips bucket (`waveform/{episode}.json`), beside the seek index. */
export class WaveformStore {
  constructor(
    private readonly s3: S3Client,
    private readonly clipsBucket: string,
  ) {}

  /** The stored waveform when it was decoded from exactly this source version; undefined otherwise. */
  async find(episodeId: string, tag: string): Promise<StoredWaveform | undefined> {
    const key = waveformKey(episodeId);
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.clipsBucket, Key: key }));
      if (out.Metadata?.[TAG] !== tag || !out.Body) {
        await out.Body?.transformToByteArray();
        return undefined;
      }
      const bytes = await out.Body.transformToByteArray();
      const waveform: unknown = JSON.parse(new TextDecoder().decode(bytes));
      // Damaged or of another layout: rebuilt, never served.
      return isWaveformJson(waveform) ? { bytes, waveform } : undefined;
    } catch (err) {
      if (s3Status(err) === 404 || s3ErrorName(err) === "NoSuchKey") return undefined;
      if (err instanceof SyntaxError) return undefined;
      throw s3Failure(err, { action: "s3:GetObject", operation: "GetObject", bucket: this.clipsBucket, key });
    }
  }

  /** One PutObject of the whole JSON: two builders write the same bytes, so the last one winning is harmless. */
  async put(episodeId: string, tag: string, bytes: Uint8Array): Promise<void> {
    const key = waveformKey(episodeId);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.clipsBucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: "application/json",
          Metadata: { [TAG]: tag },
        }),
      );
    } catch (err) {
      throw s3Failure(err, { action: "s3:PutObject", operation: "PutObject", bucket: this.clipsBucket, key });
    }
  }
}
