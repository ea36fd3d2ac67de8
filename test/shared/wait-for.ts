/**
 * Polls `probe` until it gives a value (anything but undefined, null or false) and returns it. Work the
 * runtime does after an answer (waitUntil fills, log lines from a child's stdout) is late on a busy machine,
 * so the budget is generous; something that never happens still fails, naming `what`.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
