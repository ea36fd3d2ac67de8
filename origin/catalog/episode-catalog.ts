import { MongoServerError, type Db, type Document } from "mongodb";
import { ClipError } from "../../core/index.js";
import { mongoFailure } from "./mongo-failure.js";
import type { S3Location } from "../store/clip-store.js";
import type { OriginConfig } from "../config/config.js";

/** An https location: read only from allow-listed hosts, through origin/sources/https/https-source.ts. */
export interface HttpsLocation {
  url: string;
}

export type AudioLocation = S3Location | HttpsLocation;

export const isHttpsLocation = (loc: AudioLocation): loc is HttpsLocation => "url" in loc;

export interface Episode {
  id: string;
  audio: AudioLocation;
  durationMs: number;
  /** Optional public facts (EPISODE_FIELD_TITLE, _SHOW, _IMAGE_URL): absent, empty or not text reads as none. */
  title?: string;
  show?: string;
  imageUrl?: string;
}

export interface ClipRecord {
  episodeId: string;
  startMs: number;
  endMs: number;
  s3Key: string;
  sizeBytes: number;
}

export interface CatalogOptions {
  collections: OriginConfig["collections"];
  fields: OriginConfig["episodeFields"];
  rawBucket: string | undefined;
  /** `host:port` list without credentials, for messages. */
  hosts: string;
  selectionTimeoutMs: number;
}

const DUPLICATE_KEY = 11000;

export function readPath(doc: Document, dotted: string): unknown {
  let value: unknown = doc;
  for (const part of dotted.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * `s3://bucket/key`, an `https://` URL (checked against SOURCE_HOST_ALLOWLIST when it is opened), or a
 * bare key in RAW_BUCKET.
 */
export function parseAudioLocation(value: unknown, rawBucket: string | undefined): AudioLocation | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (match) return { bucket: match[1] as string, key: match[2] as string };
  if (/^https:\/\//i.test(value)) return { url: value };
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) || rawBucket === undefined) return undefined;
  return { bucket: rawBucket, key: value.replace(/^\/+/, "") };
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : undefined;

/** Only http(s) images: an og:image or a player's artwork must be fetchable by anyone. */
const imageUrl = (value: unknown): string | undefined => {
  const raw = text(value, 2048);
  return raw && /^https?:\/\/[^\s]+$/i.test(raw) && URL.canParse(raw) ? raw : undefined;
};

function publicFacts(
  doc: Document,
  fields: OriginConfig["episodeFields"],
): Pick<Episode, "title" | "show" | "imageUrl"> {
  const title = text(readPath(doc, fields.title), 300);
  const show = text(readPath(doc, fields.show), 300);
  const image = imageUrl(readPath(doc, fields.imageUrl));
  return { ...(title ? { title } : {}), ...(show ? { show } : {}), ...(image ? { imageUrl: image } : {}) };
}

export class EpisodeCatalog {
  constructor(
    private readonly db: Db,
    private readonly opts: CatalogOptions,
  ) {}

  async find(episodeId: string): Promise<Episode | undefined> {
    const { fields, collections } = this.opts;
    let doc: Document | null;
    try {
      doc = await this.db.collection(collections.episodes).findOne(
        { [fields.id]: episodeId },
        {
          projection: {
            _id: 0,
            ...Object.fromEntries(
              [fields.audioUrl, fields.durationMs, fields.title, fields.show, fields.imageUrl].map((f) => [f, 1]),
            ),
          },
        },
      );
    } catch (err) {
      throw this.failure(err, "episode lookup");
    }
    if (doc === null) return undefined;
    const rawAudio = readPath(doc, fields.audioUrl);
    const audio = parseAudioLocation(rawAudio, this.opts.rawBucket);
    if (audio === undefined) {
      throw new ClipError(
        "unprocessable_source",
        `Episode ${episodeId} has no usable audio location in field ${fields.audioUrl} ` +
          `(expected s3://bucket/key, an https:// URL${this.opts.rawBucket === undefined ? "" : " or a key in RAW_BUCKET"})`,
      );
    }
    const durationMs = Number(readPath(doc, fields.durationMs));
    if (!Number.isFinite(durationMs) || durationMs <= 0) {
      throw new ClipError(
        "unprocessable_source",
        `Episode ${episodeId} has no valid duration in field ${fields.durationMs} (expected milliseconds > 0)`,
      );
    }
    return { id: episodeId, audio, durationMs: Math.floor(durationMs), ...publicFacts(doc, fields) };
  }

  /**
   * Inserts the clip's record, counting the request that generated it; a duplicate key means another
   * generator recorded it first: success (the caller counts this request with countRequest).
   */
  async recordClip(rec: ClipRecord): Promise<"inserted" | "existed"> {
    const now = new Date();
    try {
      await this.db.collection(this.opts.collections.clips).insertOne({
        episode_id: rec.episodeId,
        clip_start_ms: rec.startMs,
        clip_end_ms: rec.endMs,
        s3_key: rec.s3Key,
        generated_at: now,
        file_size_bytes: rec.sizeBytes,
        request_count: 1,
        last_requested_at: now,
      });
      return "inserted";
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return "existed";
      throw this.failure(err, "clip record insert");
    }
  }

  /**
   * One request the origin answered for an existing clip, for `npm run warm -- --popular`. The filter is
   * the unique clip_lookup_idx, so this is one indexed single-document write. The record is per range as
   * cut, so requests clamped to the same episode end, and precise=1 cuts of a range, share its count.
   */
  async countRequest(clip: { episodeId: string; startMs: number; endMs: number }): Promise<"counted" | "no record"> {
    try {
      const res = await this.db
        .collection(this.opts.collections.clips)
        .updateOne(
          { episode_id: clip.episodeId, clip_start_ms: clip.startMs, clip_end_ms: clip.endMs },
          { $inc: { request_count: 1 }, $set: { last_requested_at: new Date() } },
        );
      return res.matchedCount > 0 ? "counted" : "no record";
    } catch (err) {
      throw this.failure(err, "request count");
    }
  }

  private failure(err: unknown, what: string): ClipError {
    return mongoFailure(err, what, this.opts);
  }
}
