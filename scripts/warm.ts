// `npm run warm -- <file|-> [--edge URL] [--concurrency N]`: requests clips through the edge so the first
// listener gets a cache hit. Input lines: a clip URL (or path), or `episode_id start_ms duration_ms`.
// `--popular N` instead takes the N clips with the highest request_count in audio_clips.
// The edge is --edge, else EDGE_URL, else the running `npm start` stack.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { MongoClient } from "mongodb";
import { parseUrlSigningKeys, signClipUrl } from "../core/index.js";
import { readLocalStack } from "./episodes/target.js";
import { popularClips, popularTarget } from "./warm/popular.js";
import { runWarm, type WarmResult } from "./warm/run-warm.js";
import { parseWarmList, type WarmItem } from "./warm/warm-list.js";

const MAX_POPULAR = 10_000;

const USAGE = `usage: npm run warm -- <file|-> [--edge URL] [--concurrency N]
       npm run warm -- --popular N [--edge URL] [--concurrency N]
  lines: https://EDGE/api/v1/audio_clips/EP?start_time_ms=…&duration_ms=…   (or just the path)
         EP start_ms duration_ms
  blank lines and # comments are skipped
  --popular N   the N clips (1-${MAX_POPULAR}) with the highest request_count in audio_clips, read from
                MONGODB_URI (MONGODB_DB, CLIPS_COLLECTION), else from the running \`npm start\` stack.
                The origin counts every request it answers (generated or origin hit). Edge-cache and
                R2 hits never reach it, so this ranks demand that got past the edge, not plays; a clip
                served only from the edge keeps its old count. Warming requests that reach the origin
                count too. Clips recorded before the counter existed are not ranked.
  --edge URL    the edge to request through (default EDGE_URL, else the \`npm start\` stack)
  When URL_SIGNING_KEYS is set (the Worker's "id:secret,…" keys), each request is signed with the first key.
  Answers with Retry-After (429 from the edge's generation limit, 502/503/504) pause every request for that
  long and retry, up to 10 attempts per clip.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function progress(total: number): (r: WarmResult, done: number) => void {
  const tty = process.stderr.isTTY;
  const tally = { generated: 0, hit: 0, failed: 0 };
  return (r, done) => {
    tally[r.outcome]++;
    if (r.outcome === "failed") {
      process.stderr.write(`${tty ? "\r\x1b[K" : ""}failed: ${r.item.path}: ${r.detail}\n`);
    }
    const counts = `${tally.generated} generated, ${tally.hit} hit, ${tally.failed} failed`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${counts}`);
      if (done === total) process.stderr.write("\n");
    } else if (r.outcome !== "failed") {
      // No carriage returns in logs: one line per clip.
      process.stderr.write(`${done}/${total} ${r.outcome} (${r.detail}, ${r.ms.toFixed(0)} ms) ${r.item.path}\n`);
    }
  };
}

type Read = { items: WarmItem[]; skipped: number } | { exitCode: number };

async function readItems(source: string): Promise<Read> {
  let text: string;
  try {
    text = source === "-" ? await readStdin() : await readFile(source, "utf8");
  } catch (err) {
    console.error(`warm: cannot read ${source}: ${(err as Error).message}`);
    return { exitCode: 2 };
  }
  const { items, errors } = parseWarmList(text);
  if (errors.length > 0) {
    console.error(`warm: nothing requested, ${errors.length} bad line(s):\n${errors.slice(0, 20).join("\n")}`);
    return { exitCode: 2 };
  }
  return { items, skipped: 0 };
}

/** The top `count` clips by request_count; records that are not a clip request are reported, not warmed. */
async function readPopular(count: number): Promise<Read> {
  let mongo: MongoClient | undefined;
  try {
    const { target, describe } = await popularTarget(process.env);
    mongo = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 });
    const { items, errors } = await popularClips(mongo.db(target.dbName), target.names.clips, count);
    const counts = items.map((i) => i.requestCount);
    console.error(
      `ranking: ${target.dbName}.${target.names.clips} at ${describe}: ` +
        (items.length === 0 && errors.length === 0
          ? "no clip has a request count yet"
          : `${items.length + errors.length} of the ${count} asked for` +
            (counts.length > 0 ? `, origin requests ${counts[0]} down to ${counts.at(-1)}` : "")),
    );
    for (const error of errors) console.error(`warm: skipped ${error}`);
    return { items, skipped: errors.length };
  } catch (err) {
    console.error(`warm: cannot read the ranking: ${(err as Error).message}`);
    return { exitCode: 1 };
  } finally {
    await mongo?.close();
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        edge: { type: "string" },
        concurrency: { type: "string", default: "4" },
        popular: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const concurrency = Number(values.concurrency);
  const popular = values.popular === undefined ? undefined : Number(values.popular);
  const problem =
    popular !== undefined
      ? positionals.length > 0
        ? "give a file or --popular N, not both"
        : !Number.isInteger(popular) || popular < 1 || popular > MAX_POPULAR
          ? `--popular must be a whole number from 1 to ${MAX_POPULAR}`
          : undefined
      : positionals.length !== 1
        ? "give one file, or - for standard input, or --popular N"
        : undefined;
  if (problem || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    console.error(`${problem ?? "--concurrency must be 1-64"}\n${USAGE}`);
    return 2;
  }
  const edgeUrl = values.edge ?? process.env.EDGE_URL ?? (await readLocalStack())?.edgeUrl;
  if (!edgeUrl) {
    console.error(
      "No edge to warm: pass --edge https://your-edge, set EDGE_URL, or start the local stack with `npm start`.",
    );
    return 2;
  }
  const read = popular === undefined ? await readItems(positionals[0] as string) : await readPopular(popular);
  if ("exitCode" in read) return read.exitCode;
  const { items, skipped } = read;
  if (items.length === 0) {
    console.error(popular === undefined ? "warm: no clips in the input" : "warm: nothing to warm");
    return skipped > 0 ? 1 : 0;
  }
  let urlFor: ((item: WarmItem) => Promise<string>) | undefined;
  if (process.env.URL_SIGNING_KEYS) {
    let key;
    try {
      [key] = parseUrlSigningKeys(process.env.URL_SIGNING_KEYS);
    } catch (err) {
      console.error(`warm: URL_SIGNING_KEYS: ${(err as Error).message}`);
      return 2;
    }
    if (!key) {
      console.error("warm: URL_SIGNING_KEYS holds no key");
      return 2;
    }
    const signingKey = key;
    // An hour is plenty for one warm run; the signed URLs are not kept.
    urlFor = (item) => signClipUrl(edgeUrl, item.request, signingKey, Math.floor(Date.now() / 1000) + 3600);
  }
  console.error(
    `warming ${items.length} clip(s) through ${edgeUrl}, ${concurrency} at a time` +
      (urlFor ? ", signed with URL_SIGNING_KEYS" : ""),
  );
  const onWait = (seconds: number, why: string) =>
    process.stderr.write(
      `${process.stderr.isTTY ? "\r\x1b[K" : ""}the edge asked to wait: ${why}; pausing ${seconds} s\n`,
    );
  const summary = await runWarm(edgeUrl, items, {
    concurrency,
    onResult: progress(items.length),
    onWait,
    ...(urlFor ? { urlFor } : {}),
  });
  console.log(
    `warmed ${items.length} clip(s) in ${(summary.ms / 1000).toFixed(1)} s: ` +
      `${summary.generated} generated, ${summary.hit} hit, ${summary.failed} failed` +
      (skipped > 0 ? `, ${skipped} skipped` : ""),
  );
  return summary.failed > 0 || skipped > 0 ? 1 : 0;
}

process.exitCode = await main();
