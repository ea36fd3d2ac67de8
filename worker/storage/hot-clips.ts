import { LRUCache } from "lru-cache";
import type { Clip } from "../clip/clip.js";

/**
 * The isolate's own copies of its hottest clips, in front of the edge cache (#15). A Cache API hit still costs a
 * lookup and a body from the cache service on every request; a clip this isolate keeps answering is served from
 * memory instead.
 *
 * Memory is the isolate's (128 MB in all on Workers), so a clip earns a place only by being hit often from the
 * edge cache, the least recently used go first when the budget is spent, and no one clip takes more than a
 * quarter of it. A purge cannot reach an isolate's memory, so every copy is dropped `ttlMs` after it was made:
 * that bounds how long a re-uploaded episode's old clips can still be heard from a hot isolate (browsers keep
 * them for a year anyway: clips are `immutable`).
 */
export interface HotClipsOptions {
  budgetBytes: number;
  ttlMs: number;
  /** Edge-cache hits within `ttlMs` that earn a clip its copy. */
  admitAfterHits: number;
  /** Milliseconds, for tests; the runtime's clock otherwise. */
  now?: () => number;
}

/** How many clips' hit counts are kept: enough for an isolate's working set, bounded whatever the traffic. */
const COUNTED_KEYS = 4096;
/** Longer than any read of one clip from the edge cache takes. */
const ADMIT_READ_MS = 10_000;

export class HotClips {
  private readonly copies: LRUCache<string, Clip>;
  private readonly hits: LRUCache<string, number>;
  private readonly admitAfterHits: number;
  /**
   * Keys whose copy is being read from the edge cache (since when), so a burst of hits reads it once. A read the
   * runtime cut short (waitUntil is not forever) settles neither way: after ADMIT_READ_MS the key is free again.
   */
  private readonly admitting = new Map<string, number>();
  private readonly now: () => number;
  readonly maxClipBytes: number;

  constructor({ budgetBytes, ttlMs, admitAfterHits, now }: HotClipsOptions) {
    // ttlResolution 0: read the clock on every check rather than cache it behind a timer per access.
    const clock = { ttlResolution: 0, ...(now ? { perf: { now } } : {}) };
    this.maxClipBytes = Math.floor(budgetBytes / 4);
    this.admitAfterHits = admitAfterHits;
    this.now = now ?? (() => Date.now());
    // lru-cache (isaacs): LRU order, a byte budget and per-entry expiry in one well-kept structure.
    this.copies = new LRUCache<string, Clip>({
      maxSize: budgetBytes,
      maxEntrySize: this.maxClipBytes,
      sizeCalculation: (clip) => Math.max(1, clip.bytes.byteLength),
      ttl: ttlMs,
      updateAgeOnGet: false,
      ...clock,
    });
    this.hits = new LRUCache<string, number>({ max: COUNTED_KEYS, ttl: ttlMs, updateAgeOnGet: false, ...clock });
  }

  get(key: string): Clip | undefined {
    return this.copies.get(key);
  }

  /**
   * Counts one edge-cache hit of a clip of `size` bytes; true when this hit earns it a copy, which the caller
   * then reads whole and hands to `admit` (or `abandon`, when the read failed).
   */
  countCacheHit(key: string, size: number): boolean {
    const since = this.admitting.get(key);
    if (since !== undefined && this.now() - since < ADMIT_READ_MS) return false;
    if (size > this.maxClipBytes || this.copies.has(key)) return false;
    const seen = (this.hits.get(key) ?? 0) + 1;
    if (seen < this.admitAfterHits) {
      // The count's window starts at the first hit: `noUpdateTTL` keeps it there.
      this.hits.set(key, seen, { noUpdateTTL: true });
      return false;
    }
    this.hits.delete(key);
    this.admitting.set(key, this.now());
    return true;
  }

  admit(key: string, clip: Clip): void {
    this.admitting.delete(key);
    this.copies.set(key, clip);
  }

  abandon(key: string): void {
    this.admitting.delete(key);
  }

  /** Bytes held, for the log and the tests. */
  get heldBytes(): number {
    return this.copies.calculatedSize;
  }
}
