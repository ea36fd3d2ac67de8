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
}

/** One row of the bench: what to ask, how big the answer is, and what it must carry (header, value). */
export interface BenchCase {
  name: string;
  url: string;
  bytes: number;
  served: [header: string, value: string] | null;
}

export const MEASURE_PLAN = `${SEQUENTIAL} sequential requests (the cases interleaved), then ${CONCURRENCY} concurrent for ${THROUGHPUT_MS} ms`;

async function get({ name, url, bytes, served }: BenchCase, checked: boolean): Promise<void> {
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (res.status !== 200 || body.byteLength !== bytes) throw new Error(`${name}: bad answer ${res.status}`);
  // Every measured request must be what the row says (an edge-cache hit, not R2 or the origin).
  if (checked && served && res.headers.get(served[0]) !== served[1]) {
    throw new Error(`${name}: ${served[0]} is ${res.headers.get(served[0])}, expected ${served[1]}`);
  }
}

async function throughput(c: BenchCase): Promise<number> {
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await get(c, true);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

/** Warms every case up (JIT, connection pool, cache fill), then measures them; figures in the cases' order. */
export async function measureRound(cases: readonly BenchCase[]): Promise<Figures[]> {
  for (const c of cases) for (let i = 0; i < WARM_UP; i++) await get(c, false);
  const times: number[][] = cases.map(() => []);
  for (let i = 0; i < SEQUENTIAL; i++) {
    for (const [k, c] of cases.entries()) {
      const t0 = performance.now();
      await get(c, true);
      times[k]?.push(performance.now() - t0);
    }
  }
  const figures: Figures[] = [];
  for (const [k, c] of cases.entries()) {
    const t = times[k] ?? [];
    figures.push({
      name: c.name,
      p50_ms: quantile(t, 0.5),
      p95_ms: quantile(t, 0.95),
      requests_per_s: await throughput(c),
    });
  }
  return figures;
}
