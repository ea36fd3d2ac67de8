// One origin miss of `npm run bench`, asked as the Worker asks (#15).
import {
  CLIP_FACTS_HEADER,
  MIRROR_HEADER,
  MIRROR_MISSED,
  ORIGIN_ACCEPT,
  canonicalPath,
  clipPath,
  parseClipFacts,
  parseClipUrl,
  signOriginRequest,
  type ClipFacts,
} from "../../core/index.js";

export const CLIP_MS = 30_000;

export type MissAnswer = ClipFacts & { bytes: Uint8Array };

/**
 * One miss asked as the Worker asks after its R2 mirror missed (ORIGIN_ACCEPT, MIRROR_HEADER): the bytes come in
 * the answer or from its pre-signed URL.
 */
export async function miss(
  base: string,
  episode: string,
  startMs: number,
  secret: string,
  precise: boolean,
): Promise<MissAnswer> {
  const pathAndQuery = clipPath(episode, {
    start_time_ms: startMs,
    duration_ms: CLIP_MS,
    ...(precise ? { precise: 1 } : {}),
  });
  const req = parseClipUrl(new URL(pathAndQuery, base));
  const headers = await signOriginRequest({ method: "GET", canonicalPath: canonicalPath(req) }, secret, Date.now());
  const res = await fetch(new URL(pathAndQuery, base), {
    headers: { ...headers, accept: ORIGIN_ACCEPT, [MIRROR_HEADER]: MIRROR_MISSED },
  });
  if (res.status !== 200) throw new Error(`origin answered ${res.status} for ${pathAndQuery}: ${await res.text()}`);
  const facts = parseClipFacts(res.headers.get(CLIP_FACTS_HEADER));
  const answer: MissAnswer = facts
    ? { ...facts, bytes: new Uint8Array(await res.arrayBuffer()) }
    : await (async () => {
        const json = (await res.json()) as ClipFacts & { clip_url: string };
        return { ...json, bytes: new Uint8Array(await (await fetch(json.clip_url)).arrayBuffer()) };
      })();
  if (answer.cache_hit) throw new Error(`expected a miss for ${pathAndQuery}, got a hit`);
  return answer;
}
