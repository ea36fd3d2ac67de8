/**
 * How the MP3 code reads a source: by byte range, so the same code runs over an S3 object (ranged
 * GET), a local file or an in-memory buffer, in Lambda and in workerd.
 */

export interface ByteSource {
  /** Total length in bytes (from HEAD / Content-Length / stat). */
  readonly size: number;
  /** Bytes [start, endExclusive); must return exactly that many bytes. */
  readRange(start: number, endExclusive: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    readRange: async (start, end) => bytes.subarray(start, end),
  };
}

/** Wraps a source so callers can see how many bytes and requests went through it. */
export function countingSource(source: ByteSource): ByteSource & { bytesRead: number; requests: number } {
  const counted = {
    size: source.size,
    bytesRead: 0,
    requests: 0,
    async readRange(start: number, end: number): Promise<Uint8Array> {
      counted.requests++;
      const b = await source.readRange(start, end);
      counted.bytesRead += b.length;
      return b;
    },
  };
  return counted;
}

export async function readExact(source: ByteSource, start: number, end: number): Promise<Uint8Array> {
  const b = await source.readRange(start, end);
  if (b.length !== end - start) {
    throw new RangeError(`short read: wanted ${end - start} bytes at ${start}, got ${b.length}`);
  }
  return b;
}

/**
 * A forward-only window over [0, limit) of a source, filled in chunks with reads kept in flight
 * ahead of the parser so network time overlaps parsing. Bytes before the last `release` position are
 * dropped, so memory stays around `chunkSize * (1 + readAhead)` whatever the file size.
 */
export class ScanWindow {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private nextFetch = 0;
  private floor = 0;
  private readonly pending: { start: number; promise: Promise<Uint8Array> }[] = [];

  constructor(
    private readonly source: ByteSource,
    private readonly limit: number,
    private readonly chunkSize: number,
    private readonly readAhead: number,
  ) {}

  get bytes(): Uint8Array {
    return this.buf;
  }
  /** Absolute offset of `bytes[0]`. */
  get start(): number {
    return this.bufStart;
  }

  /** True when [pos, pos + n) is already in `bytes` (the fast path, no await). */
  has(pos: number, n: number): boolean {
    return pos >= this.bufStart && pos + n <= this.bufStart + this.buf.length;
  }

  /** Bytes before `pos` will not be asked for again and may be dropped. */
  release(pos: number): void {
    if (pos > this.floor) this.floor = pos;
  }

  /** Makes [pos, pos + n) available in `bytes`; false when that passes the limit. */
  async ensure(pos: number, n: number): Promise<boolean> {
    const end = pos + n;
    if (end > this.limit) return false;
    if (this.has(pos, n)) return true;
    if (pos < this.floor) throw new RangeError("ScanWindow: position already released");
    if (Math.max(this.floor, this.bufStart) >= this.bufStart + this.buf.length && this.pending.length === 0) {
      // Nothing kept or in flight: jump to pos without fetching the bytes in between.
      this.buf = new Uint8Array(0);
      this.bufStart = pos;
      this.nextFetch = pos;
      this.floor = pos;
    }
    const bufEnd = this.bufStart + this.buf.length;
    const keepFrom = Math.min(Math.max(this.floor, this.bufStart), bufEnd);
    const parts: Uint8Array[] = [this.buf.subarray(keepFrom - this.bufStart)];
    let have = bufEnd;
    while (have < end) {
      this.fill();
      const next = this.pending.shift();
      if (!next) throw new RangeError("ScanWindow: nothing left to read");
      if (next.start !== have) throw new RangeError("ScanWindow: reads out of order");
      const chunk = await next.promise;
      parts.push(chunk);
      have += chunk.length;
    }
    this.fill();
    this.buf = concat(parts);
    this.bufStart = keepFrom;
    return true;
  }

  private fill(): void {
    while (this.pending.length <= this.readAhead && this.nextFetch < this.limit) {
      const start = this.nextFetch;
      const stop = Math.min(this.limit, start + this.chunkSize);
      const promise = readExact(this.source, start, stop);
      promise.catch(() => {}); // a read-ahead nobody awaits must not become an unhandled rejection
      this.pending.push({ start, promise });
      this.nextFetch = stop;
    }
  }

  /** Waits for reads still in flight so none is left dangling (their errors are ignored). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.map((p) => p.promise));
    this.pending.length = 0;
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
