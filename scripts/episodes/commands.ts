import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { MongoClient, type Db } from "mongodb";
import { parseEpisodeId, seekIndexKey } from "../../core/index.js";
import type { S3Location } from "../../origin/store/clip-store.js";
import { s3AudioSource } from "../../origin/sources/audio-source.js";
import { newMeter } from "../../origin/sources/s3-source.js";
import { SeekIndexStore } from "../../origin/store/seek-index-store.js";
import { cloudflareFromEnv, purgeEpisode } from "./purge.js";
import { probeAudio } from "./probe.js";
import type { EpisodesTarget } from "./target.js";

export type { Log } from "./purge.js";
import type { Log } from "./purge.js";

async function withDb<T>(target: EpisodesTarget, fn: (db: Db) => Promise<T>): Promise<T> {
  const client = new MongoClient(target.db.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client.db(target.db.dbName));
  } finally {
    await client.close();
  }
}

/** Our own uploads live here; remove deletes raw audio only under this prefix. */
const audioKey = (id: string, ext: string) => `episodes/${id}/audio${ext}`;

/** The origin's own index builder, so the first clip of a new episode needs no full scan. */
async function indexEpisode(target: EpisodesTarget, id: string, loc: S3Location, log: Log): Promise<void> {
  const began = Date.now();
  const meter = newMeter();
  const found = await new SeekIndexStore(target.s3, target.clipsBucket).build(id, s3AudioSource(target.s3, loc), meter);
  if (found.kind === "not-mp3") {
    log("not MP3: the origin will re-encode its clips with FFmpeg (no seek index)");
    return;
  }
  if (found.storeError) throw new Error(`the seek index could not be stored: ${found.storeError}`);
  const { index } = found;
  log(
    `seek index: ${index.frameCount} frames (${index.headerFrame ? index.headerFrame.kind : "no Xing/Info"}, ` +
      `${index.minBitrateKbps === index.maxBitrateKbps ? "CBR" : "VBR"}) → s3://${target.clipsBucket}/${seekIndexKey(id)}, ` +
      `${Date.now() - began} ms`,
  );
}

export async function addEpisode(
  target: EpisodesTarget,
  source: string,
  opts: { id: string; title?: string | undefined },
  log: Log,
): Promise<void> {
  const id = parseEpisodeId(opts.id);
  const isUrl = /^https:\/\//.test(source);
  if (
    !isUrl &&
    !(await stat(source).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    throw new Error(`no such file: ${source}`);
  }
  const probe = await probeAudio(source);
  log(`${source}: ${probe.formatName}/${probe.codec}, ${(probe.durationMs / 1000).toFixed(1)} s`);
  let audioUrl = source;
  let uploadedKey: string | undefined;
  if (!isUrl) {
    uploadedKey = audioKey(id, path.extname(source).toLowerCase() || ".mp3");
    const size = (await stat(source)).size;
    const upload = new Upload({
      client: target.s3,
      params: { Bucket: target.rawBucket, Key: uploadedKey, Body: createReadStream(source), ContentType: "audio/mpeg" },
    });
    let shown = -1;
    upload.on("httpUploadProgress", ({ loaded = 0 }) => {
      const percent = Math.floor((loaded / size) * 100);
      if (percent !== shown)
        process.stderr.write(`\ruploading to s3://${target.rawBucket}/${uploadedKey}: ${percent}%`);
      shown = percent;
    });
    await upload.done();
    process.stderr.write("\n");
    audioUrl = `s3://${target.rawBucket}/${uploadedKey}`;
  } else {
    log("registered as a URL: the origin reads it only when its host is in SOURCE_HOST_ALLOWLIST");
  }
  try {
    if (uploadedKey) await indexEpisode(target, id, { bucket: target.rawBucket, key: uploadedKey }, log);
    await withDb(target, (db) =>
      db.collection(target.db.names.episodes).updateOne(
        { [target.db.names.episodeIdField]: id },
        {
          $set: {
            [target.db.names.episodeIdField]: id,
            audio_url: audioUrl,
            duration_ms: probe.durationMs,
            ...(opts.title ? { title: opts.title } : {}),
            added_at: new Date(),
          },
        },
        { upsert: true },
      ),
    );
  } catch (err) {
    // Nothing half-written: an uploaded object without its catalog entry is removed again.
    if (uploadedKey) {
      await target.s3.send(new DeleteObjectCommand({ Bucket: target.rawBucket, Key: uploadedKey })).catch(() => {});
    }
    throw err;
  }
  log(`episode ${id} → ${audioUrl} (${probe.durationMs} ms)`);
}

export interface EpisodeRow {
  id: string;
  durationMs: number;
  title: string;
  audioUrl: string;
}

export async function listEpisodes(target: EpisodesTarget): Promise<EpisodeRow[]> {
  const idField = target.db.names.episodeIdField;
  return withDb(target, async (db) =>
    (
      await db
        .collection(target.db.names.episodes)
        .find()
        .sort({ [idField]: 1 })
        .toArray()
    ).map((doc) => ({
      id: String(doc[idField]),
      durationMs: Number(doc.duration_ms),
      title: typeof doc.title === "string" ? doc.title : "",
      audioUrl: String(doc.audio_url),
    })),
  );
}

/** Removes an episode and everything made from it (see purge.ts), then its raw audio and catalog entry. */
export async function removeEpisode(target: EpisodesTarget, rawId: string, log: Log): Promise<void> {
  const id = parseEpisodeId(rawId);
  const names = target.db.names;
  await withDb(target, async (db) => {
    const episode = await db.collection(names.episodes).findOne({ [names.episodeIdField]: id });
    if (!episode) throw new Error(`no episode ${id}`);
    await purgeEpisode(target, db, id, log, cloudflareFromEnv(process.env));
    const audio = String(episode.audio_url ?? "");
    const ours = `s3://${target.rawBucket}/episodes/${id}/`;
    if (audio.startsWith(ours)) {
      await target.s3.send(
        new DeleteObjectCommand({ Bucket: target.rawBucket, Key: audio.slice(`s3://${target.rawBucket}/`.length) }),
      );
      log(`removed ${audio}`);
    }
    await db.collection(names.episodes).deleteOne({ [names.episodeIdField]: id });
    log(`removed episode ${id}`);
  });
}
