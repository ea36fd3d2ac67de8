// The cost lines of `npm run bench` (#15): what 1,000 new clips and 1,000,000 hits cost at public list prices,
// from counts measured in the same run, next to Cloudflare Media Transformations' published price.

/**
 * Every price the cost lines use, in one table: USD per `per` units, pay-as-you-go beyond the free allowances
 * (which are left out, so the figures are the marginal cost of a busy deployment). AWS: us-east-1, x86 Lambda.
 * The Cloudflare lines were read from Cloudflare's pricing documentation on `asOf`; the AWS lines are AWS's
 * long-standing list prices, not re-read that day: check both pages before quoting a figure. MongoDB (Atlas
 * bills by cluster-hour, not by operation) and the Worker's $5 monthly plan are fixed costs, left out.
 */
export const PRICES = {
  asOf: "2026-12-03",
  lambdaGbSecond: { usd: 0.0000166667, per: 1, source: "aws.amazon.com/lambda/pricing" },
  lambdaRequest: { usd: 0.2, per: 1e6, source: "aws.amazon.com/lambda/pricing" },
  httpApiRequest: { usd: 1.0, per: 1e6, source: "aws.amazon.com/api-gateway/pricing (HTTP API)" },
  s3Put: { usd: 0.005, per: 1000, source: "aws.amazon.com/s3/pricing (PUT, COPY, POST, LIST)" },
  s3Get: { usd: 0.0004, per: 1000, source: "aws.amazon.com/s3/pricing (GET, HEAD and all other)" },
  awsTransferOutGb: {
    usd: 0.09,
    per: 1,
    source: "aws.amazon.com/ec2/pricing/on-demand (data transfer out, first 10 TB)",
  },
  s3StorageGbMonth: { usd: 0.023, per: 1, source: "aws.amazon.com/s3/pricing (Standard, first 50 TB)" },
  workersRequest: { usd: 0.3, per: 1e6, source: "developers.cloudflare.com/workers/platform/pricing" },
  workersCpuMs: { usd: 0.02, per: 1e6, source: "developers.cloudflare.com/workers/platform/pricing" },
  r2ClassA: { usd: 4.5, per: 1e6, source: "developers.cloudflare.com/r2/pricing" },
  r2ClassB: { usd: 0.36, per: 1e6, source: "developers.cloudflare.com/r2/pricing" },
  r2StorageGbMonth: { usd: 0.015, per: 1, source: "developers.cloudflare.com/r2/pricing" },
  mediaTransformation: {
    usd: 0.5,
    per: 1000,
    source: "developers.cloudflare.com/stream/pricing (Media Transformations)",
  },
} as const;

type Priced = Exclude<keyof typeof PRICES, "asOf">;
const cost = (item: Priced, units: number) => (PRICES[item].usd / PRICES[item].per) * units;

/** What one new clip and one hit were measured to use. */
export interface CostInputs {
  /** The origin's time for a miss (the Lambda's billed duration, at 1024 MB). */
  missMs: number;
  clipBytes: number;
  /** S3 requests of one miss, by method. */
  s3Ops: Record<string, number>;
  /** Worker CPU per request, bounded above by its measured wall time (workerd reports no CPU time). */
  workerMsPerHit: number;
  workerMsPerMiss: number;
}

const GB = 1e9;

/** USD for `n` new clips: every layer a miss passes, and the clip's bytes leaving AWS once. */
export function newClipsCost(m: CostInputs, n: number): Record<string, number> {
  const s3Reads = (m.s3Ops.GET ?? 0) + (m.s3Ops.HEAD ?? 0);
  return {
    lambda: cost("lambdaRequest", n) + cost("lambdaGbSecond", n * 1 * (Math.ceil(m.missMs) / 1000)),
    "api gateway": cost("httpApiRequest", n),
    "s3 requests": cost("s3Get", n * s3Reads) + cost("s3Put", n * (m.s3Ops.PUT ?? 0)),
    "aws transfer out": cost("awsTransferOutGb", (n * m.clipBytes) / GB),
    worker: cost("workersRequest", n) + cost("workersCpuMs", n * m.workerMsPerMiss),
    // The miss looks in R2 first (class B), then the fill writes the clip there (class A).
    r2: cost("r2ClassB", n) + cost("r2ClassA", n),
  };
}

/** USD for `n` edge cache hits: one Worker request each; the cache itself is not billed. */
export function hitsCost(m: CostInputs, n: number): Record<string, number> {
  return { worker: cost("workersRequest", n) + cost("workersCpuMs", n * m.workerMsPerHit) };
}

const total = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);
const usd = (n: number) => `$${n < 0.01 ? n.toFixed(5) : n.toFixed(3)}`;
const lines = (items: Record<string, number>) =>
  Object.entries(items)
    .map(([name, v]) => `${name} ${usd(v)}`)
    .join(", ");

export function costLines(log: (line: string) => void, m: CostInputs): void {
  const clips = newClipsCost(m, 1000);
  const hits = hitsCost(m, 1e6);
  const r2Hits = total(hits) + cost("r2ClassB", 1e6);
  const storage = (1000 * m.clipBytes) / GB;
  log(`\ncost at list prices of ${PRICES.asOf} (table in scripts/bench/cost.ts), from this run's counts:`);
  log(
    `  measured per miss: ${Math.ceil(m.missMs)} ms of Lambda at 1024 MB, ${(m.clipBytes / 1024).toFixed(0)} KiB out, ` +
      `S3 ${Object.entries(m.s3Ops)
        .map(([k, v]) => `${v} ${k}`)
        .join(" + ")}; Worker wall time ≤ ${m.workerMsPerMiss.toFixed(1)} ms per miss, ` +
      `≤ ${m.workerMsPerHit.toFixed(2)} ms per hit (an upper bound of its CPU time)`,
  );
  log(`  per 1,000 new clips: ${usd(total(clips))} (${lines(clips)})`);
  log(
    `    vs Cloudflare Media Transformations ${usd(cost("mediaTransformation", 1000))} per 1,000 unique transformations: ` +
      `${(cost("mediaTransformation", 1000) / total(clips)).toFixed(0)}x`,
  );
  log(
    `    storage of those 1,000 clips: ${usd(cost("s3StorageGbMonth", storage) + cost("r2StorageGbMonth", storage))} a month (S3 + R2)`,
  );
  log(`  per 1,000,000 edge cache hits: ${usd(total(hits))} (${lines(hits)}); from R2: ${usd(r2Hits)}`);
}
