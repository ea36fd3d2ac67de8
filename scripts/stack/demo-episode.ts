import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Db } from "mongodb";
import type { CatalogConfig } from "../../origin/config/catalog-config.js";
import type { CollectionNames } from "../../origin/catalog/db-schema.js";
import { DEFAULT_EPISODE_FIELDS } from "../../origin/config/config.js";
import { registerEpisode } from "../catalog/register-episode.js";

const run = promisify(execFile);

export const DEMO_EPISODE_ID = "demo";
const DEMO_SECONDS = 180;

const SPOKEN_EVERY_S = 5;

async function haveEspeak(): Promise<boolean> {
  return run("espeak-ng", ["--version"]).then(
    () => true,
    () => false,
  );
}

/**
 * A demo episode a person can judge by ear: every 5 seconds a voice (espeak-ng, where installed) says
 * the time in seconds, over a soft tone whose pitch steps up every second and starts again every 8 s.
 * A clip from 0:05 therefore begins with "five"; without espeak-ng the tone alone still tells.
 */
export async function makeDemoAudio(dir: string, ffmpeg = process.env.FFMPEG_PATH || "ffmpeg"): Promise<string> {
  const speech = await haveEspeak();
  const file = path.join(dir, `demo-${DEMO_SECONDS}s-${speech ? "spoken" : "tone"}.mp3`);
  const ready = await stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
  if (ready) return file;
  await mkdir(dir, { recursive: true });
  // A work folder of this call's own: two stacks starting at once (npm start beside npm test) never share,
  // truncate or delete each other's intermediate files; the finished file is renamed into place whole.
  const work = await mkdtemp(path.join(dir, "work-"));
  try {
    return await renderDemo(file, work, speech, ffmpeg);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function renderDemo(file: string, work: string, speech: boolean, ffmpeg: string): Promise<string> {
  const tone = `${speech ? 0.12 : 0.4}*sin(2*PI*(330+110*mod(floor(t)\\,8))*t)`;
  const inputs = ["-f", "lavfi", "-i", `aevalsrc=${tone}:s=44100:d=${DEMO_SECONDS}`];
  const filters: string[] = [];
  if (speech) {
    for (let at = 0; at < DEMO_SECONDS; at += SPOKEN_EVERY_S) {
      const wav = path.join(work, `say-${at}.wav`);
      await run("espeak-ng", ["-s", "160", "-w", wav, String(at)]);
      inputs.push("-i", wav);
      const index = inputs.filter((a) => a === "-i").length - 1;
      filters.push(`[${index}]aresample=44100,adelay=${at * 1000}:all=1[s${index}]`);
    }
  }
  const mix = speech
    ? [
        "-filter_complex",
        `${filters.join(";")};[0]${filters.map((_, i) => `[s${i + 1}]`).join("")}amix=inputs=${filters.length + 1}:normalize=0:duration=first`,
      ]
    : [];
  await run(ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    ...inputs,
    ...mix,
    "-c:a",
    "libmp3lame",
    "-b:a",
    "128k",
    "-ar",
    "44100",
    "-metadata",
    "title=edgeclip demo: the time spoken every 5 seconds",
    path.join(work, "demo.mp3"),
  ]);
  // Renamed only when complete, so an interrupted first start never leaves a half file to reuse.
  await rename(path.join(work, "demo.mp3"), file);
  return file;
}

/** Uploads the demo audio, builds its seek index and registers it in the catalog, as `episodes add` does (idempotent). */
export async function registerDemoEpisode(opts: {
  s3: S3Client;
  rawBucket: string;
  clipsBucket: string;
  db: Db;
  names: Pick<CollectionNames, "episodes" | "seekIndexes">;
  /** EPISODE_FIELD_* of the origin that will read it (default: the origin's defaults). */
  fields?: CatalogConfig["episodeFields"];
  file: string;
}): Promise<{ id: string; durationMs: number }> {
  const fields = opts.fields ?? DEFAULT_EPISODE_FIELDS;
  // Local data is fresh on every start, so the first clip would otherwise pay for the scan (~60 ms).
  const { durationMs } = await registerEpisode({ ...opts, db: { names: opts.names, fields } }, opts.db, {
    id: DEMO_EPISODE_ID,
    source: opts.file,
    title: "edgeclip demo",
    durationMs: DEMO_SECONDS * 1000,
    log: () => {},
  });
  return { id: DEMO_EPISODE_ID, durationMs };
}
