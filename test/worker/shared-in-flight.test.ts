import { describe, expect, it } from "vitest";
import { parseClipUrl } from "../../core/index.js";
import type { OriginFetcher, OriginResult } from "../../worker/clip.js";
import { sharedInFlight } from "../../worker/shared-in-flight.js";

// The sharing rule on its own: under load in workerd a request can land between the origin's answer and the
// cache fill, which the edge integration test only hits by chance.
const request = parseClipUrl(new URL("https://edge.test/api/v1/audio_clips/ep?start_time_ms=0&duration_ms=1000"));

function countingOrigin(fail = false): { fetcher: OriginFetcher; calls: () => number } {
  let calls = 0;
  const fetcher: OriginFetcher = async () => {
    calls++;
    if (fail) throw new Error(`origin down (call ${calls})`);
    const bytes = new Uint8Array([calls]).buffer;
    return {
      clip: { bytes, startMs: 0, endMs: 1000, clamped: false, etag: `"${calls}"`, generationTimeMs: 1 },
      layer: "generated",
    };
  };
  return { fetcher, calls: () => calls };
}

describe("sharedInFlight", () => {
  it("keeps sharing the answer until the first waiter's fills settle, then asks the origin again", async () => {
    const origin = countingOrigin();
    const shared = sharedInFlight(origin.fetcher);
    const [a, b] = await Promise.all([shared(request, "r1"), shared(request, "r2")]);
    expect(origin.calls()).toBe(1);
    expect(b).toBe(a);

    let fill!: () => void;
    (a as OriginResult).holdUntil?.(new Promise<void>((resolve) => (fill = resolve)));
    // A late request, after the answer but before the cache holds it: still the shared answer.
    expect(await shared(request, "late")).toBe(a);
    expect(origin.calls()).toBe(1);

    fill();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const next = await shared(request, "after");
    expect(origin.calls()).toBe(2);
    expect(next.clip.etag).toBe('"2"');
  });

  it("releases the answer when the fills fail too", async () => {
    const origin = countingOrigin();
    const shared = sharedInFlight(origin.fetcher);
    const first = await shared(request, "r1");
    first.holdUntil?.(Promise.reject(new Error("R2 down")).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await shared(request, "r2");
    expect(origin.calls()).toBe(2);
  });

  it("never shares a failure: the next request asks the origin again", async () => {
    const origin = countingOrigin(true);
    const shared = sharedInFlight(origin.fetcher);
    await expect(shared(request, "r1")).rejects.toThrow("call 1");
    await expect(shared(request, "r2")).rejects.toThrow("call 2");
  });
});
