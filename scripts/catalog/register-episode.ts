// One way into the catalog, for `episodes add`, the demo episode of `npm start` and the bench: upload the audio
// to the raw bucket, measure it, build its seek index and write the episode under the CONFIGURED field names
// (EPISODE_FIELD_*), so the origin reads exactly what was registered.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Db } from "mongodb";
import { parseEpisodeId } from "../../core/index.js";
import { mongoWhere } from "../../origin/catalog/mongo-failure.js";
import { s3AudioSource } from "../../origin/sources/audio-source.js";
import { newMeter } from "../../origin/sources/s3-source.js";
import { SeekIndexStore } from "../../origin/store/seek-index-store.js";
import { StoredIndexes } from "../../origin/store/stored-index.js";
import { probeAudio } from "../episodes/probe.js";
import { waveformOfEpisode } from "./episode-waveform.js";
import type { DbSetupTarget } from "./db-setup.js";

type Log = (line: string) => void;

export interface RegisterTarget {
  s3: S3Client;
  db: { names: Pick<DbSetupTarget["names"], "episodes" | "seekIndexes">; fields: DbSetupTarget["fields"] };
  rawBucket: string;
  clipsBucket: string;
}

export interface RegisterOptions {
  id: string;
  /** A local file (uploaded) or an https:// URL (registered as it is). */
  source: string;
  title?: string | undefined;
  show?: string | undefined;
  /** An http(s) cover image for share pages (og:image). */
  imageUrl?: string | undefined;
  /** Known already (the generated demo); otherwise ffprobe measures it, refusing what is not audio. */
  durationMs?: number;
  /** Upload progress on stderr (an operator's terminal). */
  showProgress?: boolean;
  log: Log;
}

/** Our own uploads live here; `episodes remove` deletes raw audio only under this prefix. */
export const audioKey = (id: string, ext = ".mp3") => `episodes/${id}/audio${ext}`;

/** A courtesy for other readers of the raw bucket: the origin reads the format from the bytes, never this. */
function uploadType(key: string): string {
  const ext = path.extname(key).toLowerCase();
  return ext === ".m4a" || ext === ".mp4" ? "audio/mp4" : ext === ".aac" ? "audio/aac" : "audio/mpeg";
}

async function upload(target: RegisterTarget, file: string, key: string, showProgress: boolean): Promise<void> {
  const size = (await stat(file)).size;
  const job = new Upload({
    client: target.s3,
    params: { Bucket: target.rawBucket, Key: key, Body: createReadStream(file), ContentType: uploadType(key) },
  });
  let shown = -1;
  if (showProgress) {
    job.on("httpUploadProgress", ({ loaded = 0 }) => {
      const percent = Math.floor((loaded / size) * 100);
      if (percent !== shown) process.stderr.write(`\ruploading to s3://${target.rawBucket}/${key}: ${percent}%`);
      shown = percent;
    });
  }
  await job.done();
  if (showProgress) process.stderr.write("\n");
}

/** The origin's own index builder, so the first clip of a new episode needs no full scan. */
async function indexEpisode(target: RegisterTarget, db: Db, id: string, key: string, log: Log): Promise<void> {
  const began = Date.now();
  const source = s3AudioSource(target.s3, { bucket: target.rawBucket, key });
  const collection = target.db.names.seekIndexes;
  const stored = new StoredIndexes(db.collection(collection), mongoWhere(db.client));
  const found = await new SeekIndexStore(stored).build(id, source, newMeter());
  if (found.kind === "not-mp3") {
    log(`${found.reason}: the origin will re-encode its clips with FFmpeg (no index)`);
    return;
  }
  if (found.storeError) throw new Error(`the seek index could not be stored: ${found.storeError}`);
  if (found.kind === "aac") {
    const { index } = found;
    log(
      `AAC index: ${index.packetCount} packets, ${index.sampleRate} Hz, ${index.channels} ch, ` +
        `${index.encoderDelay} samples of encoder delay → ${db.databaseName}.${collection}, ` +
        `${Date.now() - began} ms`,
    );
    return;
  }
  const { index } = found;
  log(
    `seek index: ${index.frameCount} frames (${index.headerFrame ? index.headerFrame.kind : "no Xing/Info"}, ` +
      `${index.minBitrateKbps === index.maxBitrateKbps ? "CBR" : "VBR"}) → ${db.databaseName}.${collection}, ` +
      `${Date.now() - began} ms`,
  );
}

async function measure(opts: RegisterOptions, isUrl: boolean): Promise<number> {
  if (opts.durationMs !== undefined) return opts.durationMs;
  const exists = await stat(opts.source).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isUrl && !exists) throw new Error(`no such file: ${opts.source}`);
  const probe = await probeAudio(opts.source);
  opts.log(`${opts.source}: ${probe.formatName}/${probe.codec}, ${(probe.durationMs / 1000).toFixed(1)} s`);
  return probe.durationMs;
}

/** Registers (or replaces) an episode. Nothing half-written: a failure after the upload removes the upload. */
export async function registerEpisode(
  target: RegisterTarget,
  db: Db,
  opts: RegisterOptions,
): Promise<{ id: string; audioUrl: string; durationMs: number }> {
  const id = parseEpisodeId(opts.id);
  if (opts.imageUrl !== undefined && !/^https?:\/\/\S+$/i.test(opts.imageUrl)) {
    throw new Error(`--image-url must be an http(s) URL that anyone can fetch (got ${JSON.stringify(opts.imageUrl)})`);
  }
  const isUrl = /^https:\/\//.test(opts.source);
  const durationMs = await measure(opts, isUrl);
  const key = isUrl ? undefined : audioKey(id, path.extname(opts.source).toLowerCase() || ".mp3");
  if (key) await upload(target, opts.source, key, opts.showProgress ?? false);
  else opts.log("registered as a URL: the origin reads it only when its host is in SOURCE_HOST_ALLOWLIST");
  const audioUrl = key ? `s3://${target.rawBucket}/${key}` : opts.source;
  const { names, fields } = target.db;
  try {
    if (key) await indexEpisode(target, db, id, key, opts.log);
    if (key) await waveformOfEpisode(target, { id, audio: { bucket: target.rawBucket, key }, durationMs }, opts.log);
    const document = {
      [fields.id]: id,
      [fields.audioUrl]: audioUrl,
      [fields.durationMs]: durationMs,
      ...(opts.title ? { [fields.title]: opts.title } : {}),
      ...(opts.show ? { [fields.show]: opts.show } : {}),
      ...(opts.imageUrl ? { [fields.imageUrl]: opts.imageUrl } : {}),
      added_at: new Date(),
    };
    await db.collection(names.episodes).updateOne({ [fields.id]: id }, { $set: document }, { upsert: true });
  } catch (err) {
    if (key) await target.s3.send(new DeleteObjectCommand({ Bucket: target.rawBucket, Key: key })).catch(() => {});
    throw err;
  }
  return { id, audioUrl, durationMs };
}
