/** What a fuzz run saw, counted by kind, for its closing report line and its coverage checks. */
export interface FuzzTally {
  counts: Record<string, number>;
  count(key: string): void;
  /** Starts the clock the report's seconds are measured from (once the servers are up). */
  start(): void;
  /** Seconds since start(), for the report line. */
  seconds(): string;
}

export function fuzzTally(): FuzzTally {
  const counts: Record<string, number> = {};
  let startedAt = Date.now();
  return {
    counts,
    count: (key) => void (counts[key] = (counts[key] ?? 0) + 1),
    start: () => void (startedAt = Date.now()),
    seconds: () => ((Date.now() - startedAt) / 1000).toFixed(1),
  };
}
