// The three read-and-cut strategies the benchmark compares. Each is a ClipCutter plugged into the
// same origin pipeline, so lookup, upload, record and pre-sign are identical and only this step differs.
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ClipCutter } from "../../origin/cut/clip-cutter.js";
import type { S3Location } from "../../origin/store/clip-store.js";
import { isHttpsLocation, type Episode } from "../../origin/catalog/episode-catalog.js";
import { ffmpegCut } from "../../origin/cut/ffmpeg-cut.js";
import { createEpisodeCutter } from "../../origin/cut/episode-cutter.js";
import type { OriginParts } from "../../origin/origin.js";
import { SeekIndexStore } from "../../origin/store/seek-index-store.js";
import { seekModeOfSource } from "./seek-mode.js";

export type StrategyName =
  "baseline-download" | "baseline-ffmpeg-url" | "edgeclip" | "edgeclip-precise" | "edgeclip-warm";

/**
 * edgeclip-precise is edgeclip with `precise=1`: the same frames, re-encoded by FFmpeg for sample accuracy.
 * edgeclip reads the episode's seek index from S3 on every miss, as a container's first miss of an episode
 * does; edgeclip-warm is the origin exactly as deployed, whose container keeps indexes it has read in memory
 * (later misses of the episode read only the clip's bytes).
 */
export const STRATEGIES: readonly StrategyName[] = [
  "baseline-download",
  "baseline-ffmpeg-url",
  "edgeclip",
  "edgeclip-precise",
  "edgeclip-warm",
];

const label = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** The benchmark's episodes live in S3. */
function s3Location(episode: Episode): S3Location {
  if (isHttpsLocation(episode.audio)) throw new Error("the benchmark strategies read S3 episodes only");
  return episode.audio;
}

/** The original plan: download the whole episode, then FFmpeg decodes, seeks and re-encodes. */
function downloadThenEncode(parts: OriginParts): ClipCutter {
  return {
    async cut(req) {
      const { bucket, key } = s3Location(req.episode);
      const dir = await mkdtemp(path.join(os.tmpdir(), "edgeclip-bench-download-"));
      try {
        const out = await parts.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const file = path.join(dir, "episode.mp3");
        const body = await out.Body!.transformToByteArray();
        req.meter.bytes += body.length;
        await writeFile(file, body);
        const result = await ffmpegCut({
          ffmpegPath: parts.ffmpegPath,
          source: { url: file },
          sourceLabel: label(bucket, key),
          startMs: req.startMs,
          durationMs: req.endMs - req.startMs,
          mode: "encode",
          deadline: req.deadline,
          marginMs: req.marginMs,
        });
        return { bytes: result.bytes, method: "ffmpeg", container: "mp3", detail: { ffmpeg_ms: result.ffmpegMs } };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * FFmpeg reads a pre-signed URL with input seeking and stream copy: fast seek for CBR, frame-by-frame
 * for VBR (whose fast seek would use the coarse Xing TOC). This was the origin before the seek index.
 */
function ffmpegOverUrl(parts: OriginParts): ClipCutter {
  return {
    async cut(req) {
      const location = s3Location(req.episode);
      const { bucket, key } = location;
      const store = parts.store();
      const mode = await seekModeOfSource(parts.openSource(req.episode, req.deadline));
      const result = await ffmpegCut({
        ffmpegPath: parts.ffmpegPath,
        source: { url: await store.presignSource(location, 900) },
        sourceLabel: label(bucket, key),
        startMs: req.startMs,
        durationMs: req.endMs - req.startMs,
        mode,
        deadline: req.deadline,
        marginMs: req.marginMs,
      });
      return {
        bytes: result.bytes,
        method: "ffmpeg",
        container: "mp3",
        detail: { ffmpeg_ms: result.ffmpegMs, seek_mode: mode },
      };
    },
  };
}

/**
 * The production cutter, with a fresh index store per cut: every run reads the stored index from MongoDB,
 * as a container's first miss of an episode does, so its bytes and time are counted (a warm container
 * would have it in memory).
 */
function edgeclip(parts: OriginParts): ClipCutter {
  // A fresh index store for every miss, as in a cold container: each miss reads the stored index
  // (counted in its source bytes), overlapped with the store check and the lookup as in production.
  let next: { episodeId: string; indexes: SeekIndexStore } | undefined;
  const fresh = (episodeId: string) => ({ episodeId, indexes: new SeekIndexStore(parts.storedIndexes()) });
  const cutter = (indexes: SeekIndexStore) => createEpisodeCutter({ ...parts, indexes: () => indexes });
  return {
    prepare(episodeId) {
      next = fresh(episodeId);
      cutter(next.indexes).prepare?.(episodeId);
    },
    // As in production, the cut may start before the store check; it shares the prepared index store.
    speculate(req) {
      const prepared = next?.episodeId === req.episode.id ? next : undefined;
      return prepared
        ? (cutter(prepared.indexes).speculate?.(req) ?? Promise.resolve(undefined))
        : Promise.resolve(undefined);
    },
    cut(req) {
      const prepared = next?.episodeId === req.episode.id ? next : fresh(req.episode.id);
      next = undefined;
      return cutter(prepared.indexes).cut(req);
    },
  };
}

/** The cutter that stands in for the origin's own; undefined: the origin's own (edgeclip-warm). */
export function strategyCutter(name: StrategyName): ((parts: OriginParts) => ClipCutter) | undefined {
  switch (name) {
    case "baseline-download":
      return downloadThenEncode;
    case "baseline-ffmpeg-url":
      return ffmpegOverUrl;
    case "edgeclip":
    case "edgeclip-precise":
      return edgeclip;
    case "edgeclip-warm":
      return undefined;
  }
}
