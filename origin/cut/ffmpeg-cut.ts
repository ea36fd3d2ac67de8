import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ClipError } from "../../core/index.js";
import { ffmpegFailure, redactUrls } from "./ffmpeg-failure.js";
import { ffmpegKilled } from "../lambda/deadline.js";

/**
 * How FFmpeg treats the source: the origin only re-encodes (`encode`); the benchmark's baselines also copy
 * with fast (CBR) or frame-exact (VBR) seeking, which is why the runner keeps those modes.
 */
export type SeekMode = "copy-fast" | "copy-exact" | "encode";

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface CutOptions {
  ffmpegPath: string;
  /**
   * A short-lived pre-signed GET URL: FFmpeg reads only the byte ranges it needs over HTTP. Or the
   * bytes of an MP3 that already is exactly the clip (frames cut with the seek index), only to be
   * re-encoded: then startMs/durationMs are not applied again. They go through a temp file, not a pipe:
   * FFmpeg ignores the LAME tag's end padding on a non-seekable input (measured: +24.7 ms).
   */
  source: { url: string } | { mp3: Uint8Array } | { m4a: Uint8Array };
  /** For messages, e.g. `s3://bucket/key`; never the pre-signed URL. */
  sourceLabel: string;
  startMs: number;
  durationMs: number;
  mode: SeekMode;
  /** Encoder arguments for mode "encode" (default: libmp3lame at 128 kbit/s). */
  encodeArgs?: readonly string[];
  /**
   * The input's format when the detector knows it: FFmpeg's probe cannot see the ".mp3" of a pre-signed
   * URL (its query string follows), and one frame followed by junk scores too low to be taken for MP3.
   */
  inputFormat?: "mp3";
  /**
   * Decode from the start and drop what precedes startMs (output seeking), for sources whose timeline a
   * byte seek cannot find: in an MP3 with runs of junk the bitrate points into the junk (measured: input
   * seeking landed on audio from 0 s instead of 30 s).
   */
  decodeFromStart?: boolean;
  /** Epoch ms by which FFmpeg must have finished; it is killed then. */
  deadline: number;
  /** Only for the timeout message. */
  marginMs: number;
  spawn?: SpawnFn;
  /** Parent of the per-cut temp dir (default: the OS temp dir, /tmp on Lambda). */
  tmpRoot?: string;
}

export interface CutResult {
  bytes: Buffer;
  /** Source bytes FFmpeg read, from its own I/O statistics (undefined if it did not say). */
  bytesRead: number | undefined;
  ffmpegMs: number;
}

const STDERR_LIMIT = 64 * 1024;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export const DEFAULT_ENCODE_ARGS = ["-c:a", "libmp3lame", "-b:a", "128k"] as const;

export function ffmpegArgs(opts: CutOptions, output: string, inputFile?: string): string[] {
  const args = ["-hide_banner", "-nostdin", "-loglevel", "verbose"];
  if ("mp3" in opts.source) {
    // The clip carries its own gapless header, so the decoder already yields exactly its samples.
    args.push("-f", "mp3", "-i", inputFile ?? "pipe:0");
  } else if ("m4a" in opts.source) {
    // An M4A clip cut from AAC packets: FFmpeg applies its edit list's start but (5.1) not its end, so -t ends it.
    args.push("-f", "mp4", "-i", inputFile ?? "pipe:0", "-t", seconds(opts.durationMs));
  } else {
    // Input seeking (-ss before -i): FFmpeg asks the server for the byte range near the start.
    if (opts.mode === "copy-fast") args.push("-fflags", "+fastseek");
    if (opts.inputFormat) args.push("-f", opts.inputFormat);
    const range = ["-ss", seconds(opts.startMs), "-t", seconds(opts.durationMs)];
    if (opts.decodeFromStart) args.push("-i", opts.source.url, ...range);
    else args.push(...range, "-i", opts.source.url);
  }
  args.push("-map", "0:a:0", "-map_metadata", "-1", "-vn", "-sn", "-dn");
  if (opts.mode === "encode") args.push(...(opts.encodeArgs ?? DEFAULT_ENCODE_ARGS));
  else args.push("-c:a", "copy");
  // A seekable output file lets the muxer go back and write the Xing/Info header (frame count, so
  // players show the right duration and can seek).
  args.push("-f", "mp3", "-write_xing", "1", "-y", output);
  return args;
}

/**
 * Cuts one clip with FFmpeg into a private temp dir and returns its bytes. The temp dir is removed on
 * every path (success, FFmpeg failure, deadline kill), so a warm container never fills /tmp.
 */
export async function ffmpegCut(opts: CutOptions): Promise<CutResult> {
  const started = Date.now();
  if (opts.deadline - started <= 0) throw ffmpegKilled(0, opts.marginMs);
  const dir = await mkdtemp(path.join(opts.tmpRoot ?? os.tmpdir(), "edgeclip-cut-"));
  try {
    const output = path.join(dir, "clip.mp3");
    let input: string | undefined;
    if ("mp3" in opts.source) {
      input = path.join(dir, "frames.mp3");
      await writeFile(input, opts.source.mp3);
    } else if ("m4a" in opts.source) {
      input = path.join(dir, "packets.m4a");
      await writeFile(input, opts.source.m4a);
    }
    const run = await runFfmpeg(opts, ffmpegArgs(opts, output, input));
    const ffmpegMs = Date.now() - started;
    if (run.killed) throw ffmpegKilled(ffmpegMs, opts.marginMs);
    if (run.spawnError) {
      throw new ClipError("internal", `FFmpeg could not be started (${opts.ffmpegPath}): ${run.spawnError.message}`, {
        cause: run.spawnError,
      });
    }
    if (run.code !== 0) throw ffmpegFailure(run.code ?? run.signal, run.stderr, opts.sourceLabel);
    const bytes = await readFile(output).catch(() => Buffer.alloc(0));
    const producedMs = outputTimeMs(run.stderr);
    // Seeking past the real end still "succeeds" with a stray last frame; far too little audio means the
    // catalog's duration is longer than the file.
    if (bytes.length === 0 || (producedMs !== undefined && producedMs < opts.durationMs / 2)) {
      throw new ClipError(
        "unprocessable_source",
        `FFmpeg produced ${Math.max(0, producedMs ?? 0)} ms of audio for a ${opts.durationMs} ms clip from ` +
          `${opts.sourceLabel} at ${opts.startMs} ms: the audio is shorter than the catalog's duration_ms`,
      );
    }
    const stats = /Statistics: (\d+) bytes read/.exec(run.stderr);
    return { bytes, bytesRead: stats ? Number(stats[1]) : undefined, ffmpegMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The output duration from FFmpeg's last progress line (`time=-00:00:58.99` when it seeked past the end). */
function outputTimeMs(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/time=(-?)(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  const last = all.at(-1);
  if (!last) return undefined;
  const ms = (Number(last[2]) * 3600 + Number(last[3]) * 60 + Number(last[4])) * 1000;
  return Math.round(last[1] === "-" ? -ms : ms);
}

interface FfmpegRun {
  code: number | null;
  /** Set when FFmpeg died of a signal (a crash shows as SIGSEGV or SIGABRT); code is null then. */
  signal: NodeJS.Signals | null;
  killed: boolean;
  spawnError: Error | undefined;
  stderr: string;
}

function runFfmpeg(opts: CutOptions, args: string[]): Promise<FfmpegRun> {
  const spawn = opts.spawn ?? (nodeSpawn as SpawnFn);
  return new Promise((resolve) => {
    let settled = false;
    let stderr = "";
    let killed = false;
    let spawnError: Error | undefined;
    const child = spawn(opts.ffmpegPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    // SIGKILL, not SIGTERM: FFmpeg blocked on a stalled HTTP read may ignore a polite signal.
    const timer = setTimeout(
      () => {
        killed = true;
        child.kill("SIGKILL");
      },
      Math.max(0, opts.deadline - Date.now()),
    );
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_LIMIT);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, signal, killed, spawnError, stderr: redactUrls(stderr) });
    };
    // A failed spawn (ENOENT, EACCES) emits "error" and not always "close".
    child.on("error", (err) => {
      spawnError = err;
      if (child.pid === undefined) finish(null);
    });
    child.on("close", finish);
  });
}
