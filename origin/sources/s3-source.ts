import { sourceMissing } from "./source-errors.js";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ClipError } from "../../core/index.js";
import type { ByteSource } from "../../core/mp3/index.js";
import type { S3Location } from "../store/clip-store.js";
import { s3ErrorName, s3Failure, s3Status } from "../store/s3-errors.js";

/** Which version of a source object: a seek index is only valid for the bytes it was built from. */
export interface SourceVersion {
  size: number;
  etag: string;
}

/** Source bytes and requests of one request, for the log line, the metrics and the benchmark. */
export interface ReadMeter {
  bytes: number;
  requests: number;
}

export const newMeter = (): ReadMeter => ({ bytes: 0, requests: 0 });

/** The source changed since its seek index was built (If-Match answered 412, or its size changed). */
export class SourceChangedError extends Error {
  override readonly name = "SourceChangedError";
  constructor(readonly label: string) {
    super(`${label} changed since its seek index was built`);
  }
}

const label = (loc: S3Location) => `s3://${loc.bucket}/${loc.key}`;

function sourceFailure(err: unknown, loc: S3Location, operation: string): Error {
  if (s3Status(err) === 404 || s3ErrorName(err) === "NoSuchKey" || s3ErrorName(err) === "NotFound") {
    return sourceMissing(label(loc));
  }
  if (s3Status(err) === 412) return new SourceChangedError(label(loc));
  return s3Failure(err, { action: "s3:GetObject", operation, bucket: loc.bucket, key: loc.key });
}

export async function headSource(s3: S3Client, loc: S3Location, meter: ReadMeter): Promise<SourceVersion> {
  try {
    meter.requests++;
    const head = await s3.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? "" };
  } catch (err) {
    throw sourceFailure(err, loc, "HeadObject");
  }
}

/**
 * The source as a ByteSource of ranged GETs pinned to one version with If-Match, so bytes from a
 * re-uploaded object can never be cut with the old object's index.
 */
export function s3ByteSource(s3: S3Client, loc: S3Location, version: SourceVersion, meter: ReadMeter): ByteSource {
  return {
    size: version.size,
    async readRange(start, end) {
      if (end <= start) return new Uint8Array(0);
      try {
        meter.requests++;
        const out = await s3.send(
          new GetObjectCommand({
            Bucket: loc.bucket,
            Key: loc.key,
            Range: `bytes=${start}-${end - 1}`,
            ...(version.etag ? { IfMatch: version.etag } : {}),
          }),
        );
        const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
        meter.bytes += bytes.length;
        // A server that ignores Range sends the whole object: that is not the range we asked for.
        if (out.ContentRange === undefined && bytes.length !== end - start) {
          throw new ClipError("internal", `S3 ignored the Range header reading ${label(loc)}`);
        }
        return bytes;
      } catch (err) {
        if (err instanceof ClipError) throw err;
        if (s3Status(err) === 416) throw new SourceChangedError(label(loc));
        throw sourceFailure(err, loc, "GetObject");
      }
    },
  };
}
