/**
 * Reading ISO base media (MP4/M4A) boxes out of bytes already in memory: a box is a 32-bit size and a
 * four-character type, with a 64-bit size when the 32-bit one is 1 and "to the end" when it is 0.
 * Every read is bounds-checked: a malformed file is a RangeError, never a read past the buffer.
 */

export interface Box {
  type: string;
  /** Offset of the box's first byte, relative to the bytes it was read from. */
  start: number;
  /** Offset of the payload (after size, type and any 64-bit size). */
  body: number;
  end: number;
}

export function fourCC(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The box header at `at`, or undefined when fewer than 8 bytes remain; `limit` bounds size-0 boxes. */
export function readBoxHeader(b: Uint8Array, at: number, limit = b.length): Box | undefined {
  if (at + 8 > limit) return undefined;
  const dv = view(b);
  const size32 = dv.getUint32(at);
  const type = fourCC(b, at + 4);
  let body = at + 8;
  let size = size32;
  if (size32 === 1) {
    if (at + 16 > limit) throw new RangeError(`box ${type}: truncated 64-bit size`);
    size = Number(dv.getBigUint64(at + 8));
    body = at + 16;
  } else if (size32 === 0) {
    size = limit - at;
  }
  if (size < body - at) throw new RangeError(`box ${type} at ${at}: size ${size} is too small`);
  return { type, start: at, body, end: at + size };
}

/** The child boxes of a container box's payload [from, to). */
export function childBoxes(b: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to;) {
    const box = readBoxHeader(b, at, to);
    if (!box) break;
    if (box.end > to) throw new RangeError(`box ${box.type} at ${at} runs past its parent`);
    out.push(box);
    at = box.end;
  }
  return out;
}

export function child(b: Uint8Array, parent: Box, type: string): Box | undefined {
  return childBoxes(b, parent.body, parent.end).find((c) => c.type === type);
}

/** The child at a path of types below `parent`, e.g. ["mdia", "minf", "stbl"]. */
export function descend(b: Uint8Array, parent: Box, path: readonly string[]): Box | undefined {
  let at: Box | undefined = parent;
  for (const type of path) {
    if (!at) return undefined;
    at = child(b, at, type);
  }
  return at;
}

/** A bounds-checked big-endian cursor over one box's payload. */
export class BoxReader {
  private readonly dv: DataView;
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {
    this.dv = view(b);
  }
  private need(n: number): number {
    if (this.pos + n > this.end) throw new RangeError(`box payload truncated at ${this.pos}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.dv.getUint8(this.need(1));
  }
  u16(): number {
    return this.dv.getUint16(this.need(2));
  }
  u24(): number {
    const at = this.need(3);
    return this.dv.getUint16(at) * 256 + this.dv.getUint8(at + 2);
  }
  u32(): number {
    return this.dv.getUint32(this.need(4));
  }
  i32(): number {
    return this.dv.getInt32(this.need(4));
  }
  u64(): number {
    return Number(this.dv.getBigUint64(this.need(8)));
  }
  i64(): number {
    return Number(this.dv.getBigInt64(this.need(8)));
  }
  skip(n: number): void {
    this.need(n);
  }
  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.b.subarray(at, at + n);
  }
  get remaining(): number {
    return this.end - this.pos;
  }
}

/** A reader over a full box's payload, after its version and flags. */
export function fullBox(b: Uint8Array, box: Box): { version: number; flags: number; r: BoxReader } {
  const r = new BoxReader(b, box.body, box.end);
  const version = r.u8();
  const flags = r.u24();
  return { version, flags, r };
}
