/**
 * A growable big-endian byte writer for the binary indexes stored beside the audio. By hand because it
 * is a few lines over DataView, and the formats need LEB128 varints above 2^32, which libraries of this
 * size do with 32-bit shifts.
 */
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
