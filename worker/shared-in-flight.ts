import { canonicalPath } from "../core/index.js";
import type { OriginFetcher, OriginResult } from "./clip.js";

/**
 * Concurrent misses for one clip inside an isolate share one origin call. The shared value is bytes,
 * not a Response, so every waiting request builds its own body.
 */
export function sharedInFlight(fetcher: OriginFetcher): OriginFetcher {
  const inFlight = new Map<string, Promise<OriginResult>>();
  return (req, requestId) => {
    const key = canonicalPath(req);
    let pending = inFlight.get(key);
    if (!pending) {
      const forget = () => {
        if (inFlight.get(key) === pending) inFlight.delete(key);
      };
      let held = false;
      pending = fetcher(req, requestId).then(
        (result) => ({
          ...result,
          // The first waiter's fills decide; the entry goes once they settle, whatever their outcome.
          holdUntil: (filled) => {
            if (held) return;
            held = true;
            void filled.finally(forget);
          },
        }),
        (err: unknown) => {
          forget();
          throw err;
        },
      );
      inFlight.set(key, pending);
    }
    return pending;
  };
}
