import type { S3Client } from "@aws-sdk/client-s3";
import type { ByteSource } from "../core/mp3/index.js";
import type { S3Location } from "./clip-store.js";
import { headSource, s3ByteSource, type ReadMeter, type SourceVersion } from "./s3-source.js";

/**
 * An episode's audio as the cutter reads it: by byte range, pinned to one version (size and ETag), from
 * S3 or from an allow-listed https host. The seek index records `label` and the version it was built
 * from, so it is never used on other bytes.
 */
export interface AudioSource {
  /** `s3://bucket/key` or the https URL: for messages and for the index's identity. */
  readonly label: string;
  /** Size and ETag of the current object. */
  head(meter: ReadMeter): Promise<SourceVersion>;
  /** Ranged reads of exactly that version (SourceChangedError when it changed). */
  bytes(version: SourceVersion, meter: ReadMeter): ByteSource;
}

export function s3AudioSource(s3: S3Client, loc: S3Location): AudioSource {
  return {
    label: `s3://${loc.bucket}/${loc.key}`,
    head: (meter) => headSource(s3, loc, meter),
    bytes: (version, meter) => s3ByteSource(s3, loc, version, meter),
  };
}
