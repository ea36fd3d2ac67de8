/**
 * The q-quantile (0.5 = median) of the values, nearest-rank on a sorted copy; NaN for none. Hand-written:
 * three lines, and the benches want this exact rule so their figures stay comparable from run to run.
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
