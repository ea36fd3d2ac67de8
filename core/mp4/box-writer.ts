/** Building MP4 boxes: a box is its payload's parts with a size and a type in front (sizes fit 32 bits). */

export type Part = Uint8Array | Part[];

function flatLength(part: Part): number {
  return part instanceof Uint8Array ? part.length : part.reduce((n, p) => n + flatLength(p), 0);
}

function flatInto(part: Part, out: Uint8Array, at: number): number {
  if (part instanceof Uint8Array) {
    out.set(part, at);
    return at + part.length;
  }
  for (const p of part) at = flatInto(p, out, at);
  return at;
}

export function flatten(part: Part): Uint8Array {
  const out = new Uint8Array(flatLength(part));
  flatInto(part, out, 0);
  return out;
}

export function u8(v: number): Uint8Array {
  return Uint8Array.of(v);
}
export function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v);
  return b;
}
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
}
/** Many big-endian 32-bit values as one part: a table (stsz) of a few thousand entries, not one array each. */
export function u32s(values: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const view = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i] ?? 0);
  return b;
}
export function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}
export function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}
export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function box(type: string, ...parts: Part[]): Part {
  const size = 8 + flatLength(parts);
  if (size > 0xffffffff) throw new RangeError(`box ${type} too large`);
  return [u32(size), ascii(type), parts];
}

export function fullBox(type: string, version: number, flags: number, ...parts: Part[]): Part {
  return box(type, u8(version), u8((flags >> 16) & 255), u16(flags & 0xffff), parts);
}

/** The identity transformation matrix of mvhd and tkhd. */
export const UNITY_MATRIX: Part = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
