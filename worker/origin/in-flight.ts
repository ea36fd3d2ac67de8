import type { OriginResult } from "../clip/clip.js";

/**
 * Concurrent misses for one clip inside an isolate share one origin call. The entry is claimed before the
 * leader does anything that waits (its rate-limit charge included), so every request that arrives while the
 * leader is charged or the origin works joins it instead of starting, or paying for, another. The shared
 * value is bytes, not a Response, so every waiting request builds its own body.
 */
export interface InFlight {
  /** The shared answer for this clip while one is being made or its fills have not settled. */
  join(key: string): Promise<OriginResult> | undefined;
  /** Claims the clip: the caller leads; joiners get what it settles with. */
  lead(key: string): Lead;
}

export interface Lead {
  /** Gives the joiners their answer (the first call wins), and returns the shared answer. */
  settle(result: Promise<OriginResult>): Promise<OriginResult>;
  /**
   * Keeps the answer shared until `filled` (the edge cache and R2 writes) settles, so a request arriving
   * between the origin's answer and the cache fill does not call the origin again.
   */
  releaseAfter(filled: Promise<unknown>): void;
}

export function inFlight(): InFlight {
  const entries = new Map<string, Promise<OriginResult>>();
  return {
    join: (key) => entries.get(key),
    lead(key) {
      let resolve!: (result: Promise<OriginResult>) => void;
      const shared = new Promise<OriginResult>((r) => (resolve = r));
      let settled = false;
      // A refused or failed lead must not surface as an unhandled rejection when nobody joined it.
      shared.catch(() => {});
      entries.set(key, shared);
      const forget = () => {
        if (entries.get(key) === shared) entries.delete(key);
      };
      return {
        settle(result) {
          if (settled) {
            result.catch(() => {}); // a late settle (the leader's own failure, passed on) changes nothing
            return shared;
          }
          settled = true;
          resolve(result);
          result.catch(forget);
          return shared;
        },
        releaseAfter(filled) {
          void filled.finally(forget);
        },
      };
    },
  };
}
