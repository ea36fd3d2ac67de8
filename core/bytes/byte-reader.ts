/** The reader of ByteWriter's output: every read checks the length, and malformed input is a RangeError. */
export class ByteReader {
  private readonly dv: DataView;
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what = "data",
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`${this.what} truncated`);
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
    throw new RangeError(`${this.what} has a varint too long`);
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}
