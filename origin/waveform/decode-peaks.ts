import { spawn as nodeSpawn } from "node:child_process";
import type { Readable } from "node:stream";
import { PeakAccumulator, type WaveformJson } from "../../core/index.js";
import type { SpawnFn } from "../cut/ffmpeg-cut.js";
import { ffmpegFailure, redactUrls } from "../cut/ffmpeg-failure.js";
import { ffmpegKilled } from "../lambda/deadline.js";
import { WavReader } from "./wav-reader.js";

export interface DecodeOptions {
  ffmpegPath: string;
  /** A pre-signed URL (FFmpeg seeks in it as MP4 needs) or the bytes as a stream (an https source, read through its policy). */
  input: { url: string } | { stream: Readable };
  /** For messages; never a pre-signed URL. */
  sourceLabel: string;
  /** Epoch ms by which FFmpeg must have finished; killed then. */
  deadline: number;
  marginMs: number;
  spawn?: SpawnFn;
}

const STDERR_LIMIT = 32 * 1024;

export function decodeArgs(input: string): string[] {
  // Native sample rate, channels averaged to one (what audiowaveform draws without --split-channels).
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-i", input],
    ...["-map", "0:a:0", "-vn", "-sn", "-dn", "-map_metadata", "-1", "-ac", "1", "-c:a", "pcm_s16le"],
    ...["-f", "wav", "pipe:1"],
  ];
}

/** Decodes a whole episode with FFmpeg and folds its samples into peaks as they stream out. */
export function decodePeaks(opts: DecodeOptions): Promise<WaveformJson> {
  const started = Date.now();
  if (opts.deadline <= started) return Promise.reject(ffmpegKilled(0, opts.marginMs));
  const spawn = opts.spawn ?? (nodeSpawn as SpawnFn);
  const input = "url" in opts.input ? opts.input.url : "pipe:0";
  return new Promise((resolve, reject) => {
    let peaks: PeakAccumulator | undefined;
    let failure: Error | undefined;
    const reader = new WavReader((samples) => {
      peaks ??= new PeakAccumulator(reader.sampleRate as number);
      peaks.push(samples);
    });
    let stderr = "";
    let killed = false;
    const child = spawn(opts.ffmpegPath, decodeArgs(input), {
      stdio: ["url" in opts.input ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, opts.deadline - started);
    if ("stream" in opts.input) {
      const stdin = child.stdin;
      // FFmpeg may stop reading early (a bad file); the broken pipe is its exit code's story, not ours.
      stdin?.on("error", () => {});
      opts.input.stream.on("error", (err) => {
        failure ??= err;
        child.kill("SIGKILL");
      });
      if (stdin) opts.input.stream.pipe(stdin);
    }
    child.stdout?.on("data", (chunk: Buffer) => {
      if (failure) return;
      try {
        reader.push(chunk);
      } catch (err) {
        failure = err as Error;
        child.kill("SIGKILL");
      }
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    child.on("error", (err) => {
      failure ??= err;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killed) return reject(ffmpegKilled(Date.now() - started, opts.marginMs));
      if (failure) return reject(failure);
      if (code !== 0) return reject(ffmpegFailure(code ?? signal, redactUrls(stderr), opts.sourceLabel));
      if (!peaks) return reject(ffmpegFailure(code, "Invalid data found: no audio samples", opts.sourceLabel));
      resolve(peaks.finish());
    });
  });
}
