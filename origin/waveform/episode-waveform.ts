import { Readable } from "node:stream";
import { isHttpsLocation, type Episode } from "../catalog/episode-catalog.js";
import type { SpawnFn } from "../cut/ffmpeg-cut.js";
import type { AudioSource } from "../sources/audio-source.js";
import { newMeter, type SourceVersion } from "../sources/s3-source.js";
import type { ClipStore } from "../store/clip-store.js";
import { encodeWaveform, waveformSourceTag, WaveformStore, type StoredWaveform } from "../store/waveform-store.js";
import { decodePeaks, type DecodeOptions } from "./decode-peaks.js";

export interface WaveformDeps {
  openSource: (episode: Episode, deadline: number) => AudioSource;
  store: () => ClipStore;
  waveforms: () => WaveformStore;
  ffmpegPath: string;
  spawn?: SpawnFn;
}

export type WaveformOrigin = "stored" | "built";

/** FFmpeg reads what it needs from a short-lived URL; as long as a decode may run, no longer. */
const SOURCE_URL_EXPIRES_S = 900;
const CHUNK_BYTES = 1 << 20;

/** An https source's bytes in order, through its checked session (FFmpeg never opens such a URL itself). */
function sourceStream(source: AudioSource, version: SourceVersion): Readable {
  const bytes = source.bytes(version, newMeter());
  return Readable.from(
    (async function* () {
      for (let at = 0; at < version.size; at += CHUNK_BYTES) {
        yield Buffer.from(await bytes.readRange(at, Math.min(version.size, at + CHUNK_BYTES)));
      }
    })(),
  );
}

/**
 * An episode's peaks: the stored ones when they were decoded from the source as it is now (its ETag), else
 * decoded once with FFmpeg and stored. Builds in one container are shared; two containers write the same bytes.
 */
export function waveformBuilder(deps: WaveformDeps) {
  const building = new Map<string, Promise<{ stored: StoredWaveform; origin: WaveformOrigin }>>();

  async function build(episode: Episode, deadline: number, marginMs: number) {
    const source = deps.openSource(episode, deadline);
    try {
      const version = await source.head(newMeter());
      const tag = waveformSourceTag(source.label, version);
      const found = await deps.waveforms().find(episode.id, tag);
      if (found) return { stored: found, origin: "stored" as const };
      const input: DecodeOptions["input"] = isHttpsLocation(episode.audio)
        ? { stream: sourceStream(source, version) }
        : { url: await deps.store().presignSource(episode.audio, SOURCE_URL_EXPIRES_S) };
      const waveform = await decodePeaks({
        ffmpegPath: deps.ffmpegPath,
        input,
        sourceLabel: source.label,
        deadline,
        marginMs,
        ...(deps.spawn ? { spawn: deps.spawn } : {}),
      });
      const bytes = encodeWaveform(waveform);
      await deps.waveforms().put(episode.id, tag, bytes);
      return { stored: { bytes, waveform }, origin: "built" as const };
    } finally {
      source.close();
    }
  }

  return (episode: Episode, deadline: number, marginMs: number) => {
    const running = building.get(episode.id);
    if (running) return running;
    const job = build(episode, deadline, marginMs).finally(() => building.delete(episode.id));
    building.set(episode.id, job);
    return job;
  };
}

export type WaveformBuilder = ReturnType<typeof waveformBuilder>;
