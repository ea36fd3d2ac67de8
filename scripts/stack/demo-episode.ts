import { execFile } from "node:child_process";
import { mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Db } from "mongodb";

const run = promisify(execFile);

export const DEMO_EPISODE_ID = "demo";
const DEMO_SECONDS = 180;

/**
 * A demo episode a person can judge by ear: a tone whose pitch steps up every second and starts
 * again every 8 seconds, so a clip from 0:05 begins on the sixth step and one from 0:08 on the first.
 */
export async function makeDemoAudio(dir: string, ffmpeg = process.env.FFMPEG_PATH || "ffmpeg"): Promise<string> {
  const file = path.join(dir, `demo-${DEMO_SECONDS}s.mp3`);
  if (
    await stat(file).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return file;
  await mkdir(dir, { recursive: true });
  const tone = "0.4*sin(2*PI*(330+110*mod(floor(t)\\,8))*t)";
  await run(ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `aevalsrc=${tone}:s=44100:d=${DEMO_SECONDS}`,
    "-c:a",
    "libmp3lame",
    "-b:a",
    "128k",
    "-ar",
    "44100",
    "-metadata",
    "title=edgeclip demo: a pitch step every second",
    `${file}.tmp.mp3`,
  ]);
  // Renamed only when complete, so an interrupted first start never leaves a half file to reuse.
  await run("mv", [`${file}.tmp.mp3`, file]);
  return file;
}

/** Uploads the demo audio and registers it in the catalog (idempotent). */
export async function registerDemoEpisode(opts: {
  s3: S3Client;
  rawBucket: string;
  db: Db;
  episodes: string;
  file: string;
}): Promise<{ id: string; durationMs: number }> {
  const key = `episodes/${DEMO_EPISODE_ID}/audio.mp3`;
  await opts.s3.send(
    new PutObjectCommand({
      Bucket: opts.rawBucket,
      Key: key,
      Body: await readFile(opts.file),
      ContentType: "audio/mpeg",
    }),
  );
  const durationMs = DEMO_SECONDS * 1000;
  await opts.db.collection(opts.episodes).updateOne(
    { episode_id: DEMO_EPISODE_ID },
    {
      $set: {
        episode_id: DEMO_EPISODE_ID,
        audio_url: `s3://${opts.rawBucket}/${key}`,
        duration_ms: durationMs,
        title: "edgeclip demo",
      },
    },
    { upsert: true },
  );
  return { id: DEMO_EPISODE_ID, durationMs };
}
