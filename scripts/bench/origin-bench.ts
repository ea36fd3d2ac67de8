// The origin half of `npm run bench`: the whole miss path (lookup, read, cut, upload, record, pre-sign)
// on real local servers, once per strategy, with only the read-and-cut step swapped.
import { S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { canonicalPath, clipPath, parseClipUrl, signOriginRequest, type ClipJsonResponse } from "../../core/index.js";
import { loadConfig } from "../../origin/config/config.js";
import { startLocalOrigin } from "../../origin/dev/local-server.js";
import { createOrigin, type Origin } from "../../origin/origin.js";
import { dbSetupTargetFromEnv, runDbSetup, withCatalog } from "../catalog/db-setup.js";
import { registerEpisode } from "../catalog/register-episode.js";
import { alignClip, decodedDurationMs } from "../lib/audio-compare.js";
import { quantile } from "../lib/quantile.js";
import { LOCAL_BUCKETS } from "../services/env-lines.js";
import { createBucket, s3ClientConfig, startLocalServices, type LocalServices } from "../services/local-services.js";
import { startCountingProxy, type CountingProxy } from "./counting-proxy.js";
import { BENCH_EPISODES, benchEpisode, type BenchEpisode } from "./episodes.js";
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
}

export const POSITIONS_MS = [60_000, 45 * 60_000] as const;
const CLIP_MS = 30_000;
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
}

/** The real origin, its S3 behind the counting proxy, with only the read-and-cut step swapped. */
async function strategyOrigin(bench: Bench, strategy: StrategyName): Promise<Origin> {
  const { services } = bench;
  return createOrigin({
    config: loadConfig({
      MONGODB_URI: services.mongodbUri,
      MONGODB_DB: bench.dbName,
      CLIPS_BUCKET: LOCAL_BUCKETS.clips,
      S3_ENDPOINT: bench.proxy.url,
      S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: services.s3.region,
      ORIGIN_SECRET: bench.secret,
      ...(process.env.FFMPEG_PATH ? { FFMPEG_PATH: process.env.FFMPEG_PATH } : {}),
    }),
    s3Credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    cutter: strategyCutter(strategy, LOCAL_BUCKETS.clips),
    log: () => {},
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
  let first: ClipJsonResponse | undefined;
  for (let run = 0; run < runs; run++) {
    // A different start per run and strategy (by a few ms) makes every request a miss.
    const start = position + s * 100 + run;
    proxy.reset();
    const answer = await miss(originUrl, source, start, bench.secret, strategy === "edgeclip-precise");
    times.push(answer.generation_time_ms);
    bytes.push(proxy.bytes());
    first ??= answer;
  }
  // FFmpeg tells MP3 from M4A by the bytes; the name only has to be unique.
  const clip = path.join(bench.work, `${strategy}-${source}-${position}.clip`);
  await writeFile(clip, new Uint8Array(await (await fetch(first!.clip_url)).arrayBuffer()));
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
  };
}

/** Buckets, schema and the episodes, registered as `npm run episodes add` does (upload, measure, index). */
async function prepare(services: LocalServices, files: Record<BenchEpisode, string>, log: Bench["log"]) {
  for (const bucket of Object.values(LOCAL_BUCKETS)) await createBucket(services, bucket);
  const target = dbSetupTargetFromEnv({ ...process.env, MONGODB_URI: services.mongodbUri });
  await runDbSetup(target, () => {});
  const s3 = new S3Client(s3ClientConfig(services.s3));
  try {
    const catalog = { s3, db: target, rawBucket: LOCAL_BUCKETS.raw, clipsBucket: LOCAL_BUCKETS.clips };
    await withCatalog(target, async (db) => {
      for (const [name, file] of Object.entries(files) as [BenchEpisode, string][]) {
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
}): Promise<OriginCase[]> {
  const { runs, log } = opts;
  const files = {} as Record<BenchEpisode, string>;
  for (const name of Object.keys(BENCH_EPISODES) as BenchEpisode[]) files[name] = await benchEpisode(name, log);

  const services = await startLocalServices({ log });
  const work = await mkdtemp(path.join(os.tmpdir(), "edgeclip-bench-"));
  const proxy = await startCountingProxy(services.s3.endpoint, `/${LOCAL_BUCKETS.clips}/audio_clips/`);
  try {
    const dbName = await prepare(services, files, log);
    const bench: Bench = { runs, log, services, proxy, dbName, secret: randomBytes(24).toString("hex"), work, files };
    const cases: OriginCase[] = [];
    for (const [s, strategy] of STRATEGIES.entries()) {
      if (opts.strategies && !opts.strategies.includes(strategy)) continue;
      const origin = await strategyOrigin(bench, strategy);
      const server = await startLocalOrigin(origin, { port: 0 });
      try {
        for (const source of Object.keys(files) as BenchEpisode[]) {
          for (const position of POSITIONS_MS)
            cases.push(await measureCase(bench, server.url, strategy, s, source, position));
        }
      } finally {
        await server.close();
        await origin.close();
      }
    }
    return cases;
  } finally {
    await proxy.close();
    await services.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function miss(
  base: string,
  episode: string,
  startMs: number,
  secret: string,
  precise: boolean,
): Promise<ClipJsonResponse> {
  const pathAndQuery = clipPath(episode, {
    start_time_ms: startMs,
    duration_ms: CLIP_MS,
    ...(precise ? { precise: 1 } : {}),
  });
  const req = parseClipUrl(new URL(pathAndQuery, base));
  const headers = await signOriginRequest({ method: "GET", canonicalPath: canonicalPath(req) }, secret, Date.now());
  const res = await fetch(new URL(pathAndQuery, base), { headers });
  const body = (await res.json()) as ClipJsonResponse;
  if (res.status !== 200) throw new Error(`origin answered ${res.status} for ${pathAndQuery}: ${JSON.stringify(body)}`);
  if (body.cache_hit) throw new Error(`expected a miss for ${pathAndQuery}, got a hit`);
  return body;
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
