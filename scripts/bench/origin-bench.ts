// The origin half of `npm run bench`: the whole miss path (lookup, read, cut, upload, record, pre-sign)
// on real local servers, once per strategy, with only the read-and-cut step swapped.
import { S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig, type OriginConfig } from "../../origin/config/config.js";
import { startLocalOrigin } from "../../origin/dev/local-server.js";
import { createOrigin, type Origin } from "../../origin/origin.js";
import { dbSetupTargetFromEnv, runDbSetup, withCatalog } from "../catalog/db-setup.js";
import { registerEpisode } from "../catalog/register-episode.js";
import { alignClip, decodedDurationMs } from "../lib/audio-compare.js";
import { quantile } from "../lib/quantile.js";
import { LOCAL_BUCKETS } from "../services/env-lines.js";
import { createBucket, s3ClientConfig, startLocalServices, type LocalServices } from "../services/local-services.js";
import { startCountingProxy, type CountingProxy } from "./counting-proxy.js";
import { CLIP_MS, miss, type MissAnswer } from "./origin-miss.js";
import { limitRunner, type LimitRunner, type LimitSample } from "./limit-bench.js";
import { limitFigures, meanCounts, stepMedians, type LimitFigures } from "./step-figures.js";
import { BENCH_EPISODES, LONG_EPISODE, benchEpisode, longEpisode, type BenchEpisode } from "./episodes.js";
import { benchScale, type ScaleFigures } from "./scale-bench.js";
import { STRATEGIES, strategyCutter, type StrategyName } from "./strategies.js";

export interface OriginCase {
  source: BenchEpisode;
  position_ms: number;
  strategy: StrategyName;
  p50_ms: number;
  p95_ms: number;
  /** Median over the runs of the bytes S3 sent for one miss (source and index), counted by the proxy. */
  source_bytes: number;
  clip_bytes: number;
  /** Clip start minus requested start; null when the clip's audio was not found within the search window. */
  start_error_ms: number | null;
  /** Clip end minus requested end. */
  end_error_ms: number | null;
  /** Median per step of the origin's own step timings (its log line's `steps`) over the runs. */
  steps_p50_ms: Record<string, number>;
  /** Mean per method of the S3 requests one miss made (HEAD, GET, PUT), counted by the proxy. */
  s3_ops: Record<string, number>;
  /** edgeclip and edgeclip-warm rows: the limit row, measured interleaved with this row's misses. */
  limit?: LimitFigures;
}

export const POSITIONS_MS = [60_000, 45 * 60_000] as const;
/** How far from the requested start the alignment looks: near first, then wide (FFmpeg's VBR fast seek can land 30 s off). */
const SEARCH_S = [2, 40] as const;

interface Bench {
  runs: number;
  log: (line: string) => void;
  services: LocalServices;
  proxy: CountingProxy;
  dbName: string;
  secret: string;
  work: string;
  files: Record<BenchEpisode, string>;
  /** The origin's last log line (misses are sequential, so it is the last miss's). */
  lastLine?: string;
  limit?: LimitRunner;
}

/** The origin's configuration: its S3 behind the counting proxy. The limit row uses the very same. */
function benchConfig(bench: Bench): OriginConfig {
  const { services } = bench;
  return loadConfig({
    MONGODB_URI: services.mongodbUri,
    MONGODB_DB: bench.dbName,
    CLIPS_BUCKET: LOCAL_BUCKETS.clips,
    S3_ENDPOINT: bench.proxy.url,
    S3_FORCE_PATH_STYLE: "true",
    AWS_REGION: services.s3.region,
    ORIGIN_SECRET: bench.secret,
    ...(process.env.FFMPEG_PATH ? { FFMPEG_PATH: process.env.FFMPEG_PATH } : {}),
  });
}

const s3Credentials = (services: LocalServices) => ({
  accessKeyId: services.s3.accessKeyId,
  secretAccessKey: services.s3.secretAccessKey,
});

/** The real origin, its S3 behind the counting proxy, with only the read-and-cut step swapped. */
async function strategyOrigin(bench: Bench, strategy: StrategyName): Promise<Origin> {
  const cutter = strategyCutter(strategy);
  return createOrigin({
    config: benchConfig(bench),
    s3Credentials: s3Credentials(bench.services),
    ...(cutter ? { cutter } : {}),
    log: (line) => {
      bench.lastLine = line;
    },
  });
}

/** `runs` misses of one strategy at one position; `s` (the strategy's number) keeps its starts apart. */
async function measureCase(
  bench: Bench,
  originUrl: string,
  strategy: StrategyName,
  s: number,
  source: BenchEpisode,
  position: number,
): Promise<OriginCase> {
  const { runs, proxy } = bench;
  bench.log(`  ${strategy.padEnd(20)} ${source} at ${position / 60_000} min: ${runs} misses…`);
  const times: number[] = [];
  const bytes: number[] = [];
  const steps: Record<string, number>[] = [];
  const ops: Record<string, number>[] = [];
  const limits: LimitSample[] = [];
  const sourceSize = (await stat(bench.files[source])).size;
  let first: MissAnswer | undefined;
  for (let run = 0; run < runs; run++) {
    // A different start per run and strategy (by a few ms) makes every request a miss.
    const start = position + s * 100 + run;
    proxy.reset();
    const answer = await miss(originUrl, source, start, bench.secret, strategy === "edgeclip-precise");
    times.push(answer.generation_time_ms);
    bytes.push(proxy.bytes());
    ops.push(proxy.ops());
    steps.push((JSON.parse(bench.lastLine ?? "{}") as { steps?: Record<string, number> }).steps ?? {});
    first ??= answer;
    if (bench.limit) {
      // Right after each miss, the same clip's bytes from the same place: the pair sees the same servers' mood.
      const offset = Math.floor((sourceSize * position) / (60 * 60_000));
      const key = `bench-limit/${strategy}/${source}/${position}/${run}.mp3`;
      limits.push(await bench.limit.miss(source, offset, answer.file_size_bytes, key));
    }
  }
  // FFmpeg tells MP3 from M4A by the bytes; the name only has to be unique.
  const clip = path.join(bench.work, `${strategy}-${source}-${position}.clip`);
  await writeFile(clip, first!.bytes);
  const errors = await accuracy(bench.files[source], clip, position + s * 100, CLIP_MS);
  return {
    source,
    position_ms: position,
    strategy,
    p50_ms: quantile(times, 0.5),
    p95_ms: quantile(times, 0.95),
    source_bytes: quantile(bytes, 0.5),
    clip_bytes: first!.file_size_bytes,
    ...errors,
    steps_p50_ms: stepMedians(steps),
    s3_ops: meanCounts(ops),
    ...(limits.length > 0 ? { limit: limitFigures(limits) } : {}),
  };
}

/**
 * One unmeasured miss per source (and a limit miss beside it) before a strategy's rows: its code paths are
 * otherwise first compiled inside its first row (measured: that row 1.5–2x the others), which is the JIT's
 * warm-up, not the strategy's. At minute 30, apart from the measured positions.
 */
async function warmUp(bench: Bench, originUrl: string, strategy: StrategyName, s: number): Promise<void> {
  for (const source of Object.keys(bench.files) as BenchEpisode[]) {
    const answer = await miss(originUrl, source, WARM_UP_MS + s * 100, bench.secret, strategy === "edgeclip-precise");
    const offset = Math.floor(((await stat(bench.files[source])).size * WARM_UP_MS) / (60 * 60_000));
    await bench.limit?.miss(source, offset, answer.file_size_bytes, `bench-limit/${strategy}/${source}/warm-up.mp3`);
  }
}

const WARM_UP_MS = 30 * 60_000;

/** The production origin (its cutter, a warm container's memory) behind the API Gateway stand-in, for the scale row. */
async function scaleRow(bench: Bench): Promise<ScaleFigures> {
  const errors: Record<string, number> = {};
  const origin = await createOrigin({
    config: benchConfig(bench),
    s3Credentials: s3Credentials(bench.services),
    log: (line) => {
      const entry = JSON.parse(line) as { status?: number; code?: string; error?: string };
      if ((entry.status ?? 0) < 500) return;
      const what = `${entry.code}: ${String(entry.error).slice(0, 100)}`;
      errors[what] = (errors[what] ?? 0) + 1;
    },
  });
  const server = await startLocalOrigin(origin, { port: 0 });
  try {
    return await benchScale({
      originUrl: server.url,
      secret: bench.secret,
      episode: "cbr128-60min",
      longEpisode: LONG_EPISODE.name,
      log: bench.log,
      originErrors: () => ({ ...errors }),
    });
  } finally {
    await server.close();
    await origin.close();
  }
}

/** Buckets, schema and the episodes, registered as `npm run episodes add` does (upload, measure, index). */
async function prepare(services: LocalServices, files: Record<string, string>, log: Bench["log"]) {
  for (const bucket of Object.values(LOCAL_BUCKETS)) await createBucket(services, bucket);
  const target = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri });
  await runDbSetup(target, () => {});
  const s3 = new S3Client(s3ClientConfig(services.s3));
  try {
    const catalog = { s3, db: target, rawBucket: LOCAL_BUCKETS.raw, clipsBucket: LOCAL_BUCKETS.clips };
    await withCatalog(target, async (db) => {
      for (const [name, file] of Object.entries(files)) {
        log(`uploading ${name} and building its seek index…`);
        await registerEpisode(catalog, db, { id: name, source: file, log: () => {} });
      }
    });
  } finally {
    s3.destroy();
  }
  return target.dbName;
}

export async function benchOrigin(opts: {
  runs: number;
  log: (line: string) => void;
  /** Default: all three. */
  strategies?: readonly StrategyName[];
  /** Also run the scale row (scale-bench.ts) on the same servers. */
  scale?: boolean;
}): Promise<{ cases: OriginCase[]; scale?: ScaleFigures }> {
  const { runs, log } = opts;
  const files = {} as Record<BenchEpisode, string>;
  for (const name of Object.keys(BENCH_EPISODES) as BenchEpisode[]) files[name] = await benchEpisode(name, log);

  const services = await startLocalServices({ log });
  const work = await mkdtemp(path.join(os.tmpdir(), "edgeclip-bench-"));
  const proxy = await startCountingProxy(services.s3.endpoint, `/${LOCAL_BUCKETS.clips}/audio_clips/`);
  try {
    const long = opts.scale ? { [LONG_EPISODE.name]: await longEpisode(log) } : {};
    const dbName = await prepare(services, { ...files, ...long }, log);
    const bench: Bench = { runs, log, services, proxy, dbName, secret: randomBytes(24).toString("hex"), work, files };
    const cases: OriginCase[] = [];
    for (const [s, strategy] of STRATEGIES.entries()) {
      if (opts.strategies && !opts.strategies.includes(strategy)) continue;
      const origin = await strategyOrigin(bench, strategy);
      const server = await startLocalOrigin(origin, { port: 0 });
      if (strategy === "edgeclip" || strategy === "edgeclip-warm")
        bench.limit = limitRunner(benchConfig(bench), s3Credentials(services));
      try {
        bench.log(`  ${strategy}: warming up (one unmeasured miss per source)…`);
        await warmUp(bench, server.url, strategy, s);
        for (const source of Object.keys(files) as BenchEpisode[]) {
          for (const position of POSITIONS_MS)
            cases.push(await measureCase(bench, server.url, strategy, s, source, position));
        }
      } finally {
        await server.close();
        await origin.close();
        await bench.limit?.close();
        delete bench.limit;
      }
    }
    if (!opts.scale) return { cases };
    return { cases, scale: await scaleRow(bench) };
  } finally {
    await proxy.close();
    await services.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function accuracy(
  source: string,
  clip: string,
  startMs: number,
  durationMs: number,
): Promise<Pick<OriginCase, "start_error_ms" | "end_error_ms">> {
  const playedMs = await decodedDurationMs(clip);
  let aligned = await alignClip(source, clip, startMs, SEARCH_S[0]);
  if (aligned.correlation < 0.5) aligned = await alignClip(source, clip, startMs, SEARCH_S[1]);
  if (aligned.correlation < 0.5) return { start_error_ms: null, end_error_ms: null };
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    start_error_ms: round(aligned.offsetMs),
    end_error_ms: round(aligned.offsetMs + playedMs - durationMs),
  };
}
