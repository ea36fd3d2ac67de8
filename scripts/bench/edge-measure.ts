// One round of the edge bench over its cases (the constant body, the cache-match floor, the edge hit): the
// sequential latencies interleaved request by request, so a neighbour's load spike on a shared machine
// lands on every case alike, then each case's throughput on its own.
import { quantile } from "../lib/quantile.js";

const SEQUENTIAL = 200;
const CONCURRENCY = 8;
const THROUGHPUT_MS = 1500;
const WARM_UP = 30;

export interface Figures {
  name: string;
  p50_ms: number;
  p95_ms: number;
  requests_per_s: number;
  /** Measured answers that came from the case's fallback layer (`served.fallback`), of `answers`. */
  fallbacks: number;
  answers: number;
}

/**
 * One row of the bench: what to ask, how big the answer is, and what every answer must carry: `header` equal
 * to `value`, or to `fallback` where a layer may lawfully pass a request on (the memory layer's copy expires
 * and is earned again from the edge cache); those are counted and printed.
 */
export interface BenchCase {
  name: string;
  url: string;
  headers?: Record<string, string>;
  bytes: number;
  served: { header: string; value: string; fallback?: string } | null;
}

export const MEASURE_PLAN = `${SEQUENTIAL} sequential requests (the cases interleaved), then ${CONCURRENCY} concurrent for ${THROUGHPUT_MS} ms`;

interface Tally {
  fallbacks: number;
  answers: number;
}

async function get({ name, url, headers, bytes, served }: BenchCase, tally?: Tally): Promise<void> {
  const res = await fetch(url, headers ? { headers } : {});
  const body = await res.arrayBuffer();
  if (res.status !== 200 || body.byteLength !== bytes) throw new Error(`${name}: bad answer ${res.status}`);
  if (!tally) return;
  tally.answers++;
  if (!served) return;
  // Every measured request must be what the row says (an edge hit, not R2 or the origin).
  const got = res.headers.get(served.header);
  if (got === served.fallback) tally.fallbacks++;
  else if (got !== served.value) throw new Error(`${name}: ${served.header} is ${got}, expected ${served.value}`);
}

async function throughput(c: BenchCase, tally: Tally): Promise<number> {
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await get(c, tally);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

/** Warms every case up (JIT, connection pool, cache fill), then measures them; figures in the cases' order. */
export async function measureRound(cases: readonly BenchCase[]): Promise<Figures[]> {
  for (const c of cases) for (let i = 0; i < WARM_UP; i++) await get(c);
  const times: number[][] = cases.map(() => []);
  const tallies: Tally[] = cases.map(() => ({ fallbacks: 0, answers: 0 }));
  for (let i = 0; i < SEQUENTIAL; i++) {
    for (const [k, c] of cases.entries()) {
      const t0 = performance.now();
      await get(c, tallies[k]);
      times[k]?.push(performance.now() - t0);
    }
  }
  const figures: Figures[] = [];
  for (const [k, c] of cases.entries()) {
    const t = times[k] ?? [];
    const tally = tallies[k] as Tally;
    const requests_per_s = await throughput(c, tally);
    figures.push({ name: c.name, p50_ms: quantile(t, 0.5), p95_ms: quantile(t, 0.95), requests_per_s, ...tally });
  }
  return figures;
}
