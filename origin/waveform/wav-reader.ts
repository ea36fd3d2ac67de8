/**
 * Reads the WAV stream FFmpeg writes to a pipe: chunks until "data" (its size is unknown on a pipe, so
 * everything after it is samples), then 16-bit little-endian mono samples, split at any byte boundary.
 */
export class WavReader {
  private head = Buffer.alloc(0);
  private carry: Buffer | undefined;
  sampleRate: number | undefined;
  private inData = false;

  constructor(private readonly onSamples: (samples: Int16Array) => void) {}

  push(chunk: Buffer): void {
    if (!this.inData) {
      this.head = Buffer.concat([this.head, chunk]);
      const rest = this.readHeader();
      if (rest === undefined) return;
      chunk = rest;
    }
    this.samples(chunk);
  }

  private samples(chunk: Buffer): void {
    let bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    if (bytes.length % 2 === 1) {
      this.carry = bytes.subarray(bytes.length - 1);
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length === 0) return;
    // A view where the chunk is aligned (every platform Node and Lambda run on is little-endian, as WAV is);
    // a copy where a Node chunk's byteOffset is odd.
    if (bytes.byteOffset % 2 === 0) {
      this.onSamples(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
      return;
    }
    const aligned = new Int16Array(bytes.length / 2);
    for (let i = 0; i < aligned.length; i++) aligned[i] = bytes.readInt16LE(2 * i);
    this.onSamples(aligned);
  }

  /** The bytes after the header once the "data" chunk starts; undefined while more header is needed. */
  private readHeader(): Buffer | undefined {
    const b = this.head;
    if (b.length < 12) return undefined;
    if (b.toString("latin1", 0, 4) !== "RIFF" || b.toString("latin1", 8, 12) !== "WAVE") {
      throw new Error("FFmpeg did not write a WAV stream");
    }
    let at = 12;
    while (at + 8 <= b.length) {
      const id = b.toString("latin1", at, at + 4);
      const size = b.readUInt32LE(at + 4);
      if (id === "data") {
        if (this.sampleRate === undefined) throw new Error("WAV stream without a fmt chunk");
        this.inData = true;
        this.head = Buffer.alloc(0);
        return b.subarray(at + 8);
      }
      if (at + 8 + size > b.length) return undefined;
      if (id === "fmt ") {
        const format = b.readUInt16LE(at + 8);
        const channels = b.readUInt16LE(at + 10);
        const bits = b.readUInt16LE(at + 22);
        if (format !== 1 || channels !== 1 || bits !== 16) throw new Error("expected 16-bit mono PCM WAV");
        this.sampleRate = b.readUInt32LE(at + 12);
      }
      at += 8 + size + (size % 2);
    }
    return undefined;
  }
}
