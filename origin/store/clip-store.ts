import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  CLIP_CACHE_CONTROL,
  CLIP_CONTAINERS,
  CLIP_METADATA,
  containerOfType,
  type ClipContainer,
} from "../../core/index.js";
import { s3ErrorName, s3Failure, s3Status } from "./s3-errors.js";

/** What a clip object says about itself (user metadata), so a hit needs no database. */
export interface StoredClip {
  startMs: number | undefined;
  endMs: number | undefined;
  clamped: boolean | undefined;
  sizeBytes: number;
  container: ClipContainer;
}

/** A stored clip found under one of the keys a request may have. */
export type FoundClip = StoredClip & { key: string };

export interface ClipFacts {
  startMs: number;
  endMs: number;
  clamped: boolean;
}

export interface S3Location {
  bucket: string;
  key: string;
}

function numberOr(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

/**
 * The SigV4 payload hash the signer would otherwise compute over the body (SHA-256, ~0.3 ms for a 30 s clip):
 * it takes a present x-amz-content-sha256 header as it is.
 */
function withPayloadHash(command: PutObjectCommand, sha256: string): void {
  command.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers["x-amz-content-sha256"] = sha256;
      return next(args);
    },
    { step: "build", name: "edgeclipPayloadHash" },
  );
}

export class ClipStore {
  /** Cleared the first time the server says it cannot do conditional writes (some S3-compatibles). */
  private conditionalPut = true;

  constructor(
    private readonly s3: S3Client,
    private readonly clipsBucket: string,
    private readonly presignExpiresS: number,
  ) {}

  /** Whether a PUT here leaves an existing object alone (If-None-Match: *), as far as the server has said. */
  get refusesOverwrites(): boolean {
    return this.conditionalPut;
  }

  async find(key: string): Promise<StoredClip | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.clipsBucket, Key: key }));
      const meta = head.Metadata ?? {};
      const clamped = meta[CLIP_METADATA.clamped];
      return {
        startMs: numberOr(meta[CLIP_METADATA.startMs]),
        endMs: numberOr(meta[CLIP_METADATA.endMs]),
        clamped: clamped === undefined ? undefined : clamped === "true",
        sizeBytes: head.ContentLength ?? 0,
        container: containerOfType(head.ContentType),
      };
    } catch (err) {
      if (s3Status(err) === 404) return undefined;
      throw s3Failure(err, { action: "s3:GetObject", operation: "HeadObject", bucket: this.clipsBucket, key });
    }
  }

  /**
   * The clip under whichever of its keys holds it (one per container: MP3 and M4A clips of the same range
   * have different keys). The HEADs run in parallel, so a miss costs one round trip, not one per container.
   */
  async findAny(keys: readonly { container: ClipContainer; key: string }[]): Promise<FoundClip | undefined> {
    const found = await Promise.all(
      keys.map(async ({ key, container }) => {
        const clip = await this.find(key);
        return clip && { ...clip, container, key };
      }),
    );
    return found.find((f) => f !== undefined);
  }

  /**
   * One PutObject of the finished file: S3 makes an object visible whole or not at all. With
   * `If-None-Match: *` the first writer wins and later ones get 412, which means the same clip is
   * already there: "existed", not an error. `sha256` (hex, of `bytes`): S3 checks the object against it
   * (x-amz-checksum-sha256), and the signature uses it as the payload hash instead of hashing the bytes again.
   */
  async put(
    key: string,
    bytes: Uint8Array,
    facts: ClipFacts,
    container: ClipContainer = "mp3",
    sha256?: string,
  ): Promise<"created" | "existed"> {
    const base = {
      Bucket: this.clipsBucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.length,
      ContentType: CLIP_CONTAINERS[container].contentType,
      CacheControl: CLIP_CACHE_CONTROL,
      Metadata: {
        [CLIP_METADATA.startMs]: String(facts.startMs),
        [CLIP_METADATA.endMs]: String(facts.endMs),
        [CLIP_METADATA.clamped]: String(facts.clamped),
      },
    };
    const checksum = sha256 ? { ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64") } : {};
    for (let attempt = 1; ; attempt++) {
      try {
        const command = new PutObjectCommand({
          ...base,
          ...checksum,
          ...(this.conditionalPut ? { IfNoneMatch: "*" } : {}),
        });
        if (sha256) withPayloadHash(command, sha256);
        await this.s3.send(command);
        return "created";
      } catch (err) {
        const status = s3Status(err);
        if (status === 412) return "existed";
        if (this.conditionalPut && (status === 501 || s3ErrorName(err) === "NotImplemented")) {
          this.conditionalPut = false;
          continue;
        }
        // 409 ConditionalRequestConflict: another conditional write of this key is in flight; try again.
        if (status === 409 && attempt < 3) continue;
        throw s3Failure(err, { action: "s3:PutObject", operation: "PutObject", bucket: this.clipsBucket, key });
      }
    }
  }

  presignClip(key: string): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.clipsBucket, Key: key }), {
      expiresIn: this.presignExpiresS,
    });
  }

  /** A URL for FFmpeg to read the source with ranged GETs; short-lived because it only serves this cut. */
  presignSource(source: S3Location, expiresS: number): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: source.bucket, Key: source.key }), {
      expiresIn: expiresS,
    });
  }
}
