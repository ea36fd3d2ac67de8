import type { S3Client } from "@aws-sdk/client-s3";
import type { ByteSource } from "../../core/mp3/index.js";
import type { S3Location } from "../store/clip-store.js";
import { sourceLabel } from "./https/errors.js";
import {
  HttpsSourceChangedError,
  openHttpsSource,
  type HttpsSource,
  type HttpsSourcePolicy,
} from "./https/https-source.js";
import { headSource, s3ByteSource, SourceChangedError, type ReadMeter, type SourceVersion } from "./s3-source.js";

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
  /** Releases connections kept for this cut (https keep-alive); idempotent. */
  close(): void;
}

export function s3AudioSource(s3: S3Client, loc: S3Location): AudioSource {
  return {
    label: `s3://${loc.bucket}/${loc.key}`,
    head: (meter) => headSource(s3, loc, meter),
    bytes: (version, meter) => s3ByteSource(s3, loc, version, meter),
    close: () => {},
  };
}

/**
 * An allow-listed https location. Opening it (policy checks, DNS pinning, a 1-byte ranged GET that gives
 * size and ETag) happens once per cut, on first use; every later read goes through that checked session.
 */
export function httpsAudioSource(url: string, policy: HttpsSourcePolicy): AudioSource {
  let opened: Promise<HttpsSource> | undefined;
  const open = (meter: ReadMeter) => {
    if (!opened) {
      meter.requests++;
      meter.bytes += 1;
      opened = openHttpsSource(url, policy);
    }
    return opened;
  };
  const label = (() => {
    try {
      return sourceLabel(new URL(url));
    } catch {
      return "https source (invalid URL)";
    }
  })();
  return {
    label,
    async head(meter) {
      const source = await open(meter);
      return { size: source.size, etag: source.etag ?? "" };
    },
    bytes(version, meter) {
      return {
        size: version.size,
        async readRange(start, end) {
          const source = await open(meter);
          // Opened after the index was built: a different size or ETag is a different file.
          if (source.size !== version.size || (source.etag ?? "") !== version.etag) throw new SourceChangedError(label);
          meter.requests++;
          try {
            const bytes = await source.readRange(start, end);
            meter.bytes += bytes.length;
            return bytes;
          } catch (err) {
            if (err instanceof HttpsSourceChangedError) throw new SourceChangedError(label);
            throw err;
          }
        },
      };
    },
    close() {
      void opened?.then(
        (s) => s.close(),
        () => {},
      );
    },
  };
}
