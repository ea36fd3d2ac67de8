/**
 * workerd's Rate Limiting binding (like Cloudflare's) counts in fixed windows: Date.now() / period. A test that
 * asks for "N allowed, then refused" must not straddle a window's edge, where the count starts again. This waits
 * for the next window when fewer than `neededMs` remain of this one, and returns how many windows the test has
 * touched so far (an assertion can allow one limit's worth per window).
 */
export async function inOneRateWindow(periodMs: number, neededMs: number): Promise<() => number> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
  const first = Math.floor(Date.now() / periodMs);
  return () => Math.floor(Date.now() / periodMs) - first + 1;
}
