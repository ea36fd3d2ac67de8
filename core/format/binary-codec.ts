/** Big-endian writer and bounds-checked reader for the stored indexes (MP3 seek index, AAC index). */

export class ByteWriter {
  private buf = new Uint8Array(1024);
  private dv = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.dv.setUint8(this.length++, v);
  }
  u16(v: number): void {
    this.room(2);
    this.dv.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.length, v);
    this.length += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.dv.setFloat64(this.length, v);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** LEB128 for non-negative integers up to 2^53 (arithmetic, not 32-bit shifts). */
  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
    while (v >= 0x80) {
      this.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.u8(v);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class ByteReader {
  private readonly dv: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError("index truncated");
  }
  u8(): number {
    this.need(1);
    return this.dv.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    this.pos += 2;
    return this.dv.getUint16(this.pos - 2);
  }
  u32(): number {
    this.need(4);
    this.pos += 4;
    return this.dv.getUint32(this.pos - 4);
  }
  f64(): number {
    this.need(8);
    this.pos += 8;
    return this.dv.getFloat64(this.pos - 8);
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    this.pos += n;
    return this.buf.slice(this.pos - n, this.pos);
  }
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
    throw new RangeError("index varint too long");
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}
