// `npm run warm -- <file|-> [--edge URL] [--concurrency N]`: requests clips through the edge so the first
// listener gets a cache hit. Input lines: a clip URL (or path), or `episode_id start_ms duration_ms`.
// `--popular N` instead takes the N clips with the highest request_count in audio_clips.
// The edge is --edge, else EDGE_URL, else the running `npm start` stack.
import { parseUrlSigningKeys, signClipUrl } from "../core/index.js";
import { runCommand, UsageError } from "./cli/run-command.js";
import { readLocalStack } from "./episodes/target.js";
import { onWait, progress } from "./warm/progress.js";
import { runWarm } from "./warm/run-warm.js";
import { readItems, readPopular } from "./warm/warm-input.js";
import type { WarmItem } from "./warm/warm-list.js";

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

/** What is wrong with the arguments, if anything. */
function problem(popular: number | undefined, positionals: string[], concurrency: number): string | undefined {
  if (popular !== undefined) {
    if (positionals.length > 0) return "give a file or --popular N, not both";
    if (!Number.isInteger(popular) || popular < 1 || popular > MAX_POPULAR) {
      return `--popular must be a whole number from 1 to ${MAX_POPULAR}`;
    }
  } else if (positionals.length !== 1) return "give one file, or - for standard input, or --popular N";
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return "--concurrency must be 1-64";
  return undefined;
}

type UrlFor = (item: WarmItem) => Promise<string>;

/** Signs with the first of URL_SIGNING_KEYS when set; a number is the exit code for a bad value. */
function signer(edgeUrl: string): UrlFor | undefined | number {
  if (!process.env.URL_SIGNING_KEYS) return undefined;
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
  return (item) => signClipUrl(edgeUrl, item.request, signingKey, Math.floor(Date.now() / 1000) + 3600);
}

await runCommand({
  name: "warm",
  usage: USAGE,
  options: {
    edge: { type: "string" },
    concurrency: { type: "string", default: "4" },
    popular: { type: "string" },
  },
  async run({ values, positionals }) {
    const concurrency = Number(values.concurrency);
    const popular = values.popular === undefined ? undefined : Number(values.popular);
    const wrong = problem(popular, positionals, concurrency);
    if (wrong) throw new UsageError(wrong);
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
    const urlFor = signer(edgeUrl);
    if (typeof urlFor === "number") return urlFor;
    console.error(
      `warming ${items.length} clip(s) through ${edgeUrl}, ${concurrency} at a time` +
        (urlFor ? ", signed with URL_SIGNING_KEYS" : ""),
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
  },
});
