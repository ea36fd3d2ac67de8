// The waveform peaks of a newly registered episode, built with the origin's own builder, so the studio and
// share pages of a new episode never wait for a whole decode on their first visit.
import type { S3Client } from "@aws-sdk/client-s3";
import type { Episode } from "../../origin/catalog/episode-catalog.js";
import { resolveFfmpegPath } from "../../origin/cut/ffmpeg-path.js";
import { s3AudioSource } from "../../origin/sources/audio-source.js";
import { ClipStore } from "../../origin/store/clip-store.js";
import { WaveformStore } from "../../origin/store/waveform-store.js";
import { waveformBuilder } from "../../origin/waveform/episode-waveform.js";
import type { S3Location } from "../../origin/store/clip-store.js";

/** An operator's command may take its time: a long episode decodes in well under this. */
const BUILD_BUDGET_MS = 15 * 60_000;

export async function waveformOfEpisode(
  target: { s3: S3Client; clipsBucket: string },
  episode: Episode & { audio: S3Location },
  log: (line: string) => void,
): Promise<void> {
  const began = Date.now();
  const ffmpeg = await resolveFfmpegPath({ configuredPath: process.env.FFMPEG_PATH || undefined });
  const build = waveformBuilder({
    openSource: () => s3AudioSource(target.s3, episode.audio),
    store: () => new ClipStore(target.s3, target.clipsBucket, 3600),
    waveforms: () => new WaveformStore(target.s3, target.clipsBucket),
    ffmpegPath: ffmpeg.path,
  });
  const { stored, origin } = await build(episode, began + BUILD_BUDGET_MS, 0);
  log(
    `waveform: ${stored.waveform.length} pixels of ${stored.waveform.samples_per_pixel} samples ` +
      `(${origin}) → s3://${target.clipsBucket}/waveform/${episode.id}.json, ${Date.now() - began} ms`,
  );
}
