import { describe, expect, it } from "vitest";
import { WavReader } from "../../../origin/waveform/wav-reader.js";

/** A WAV stream as FFmpeg writes one to a pipe: RIFF, fmt, a LIST chunk, then data of unknown size. */
function wav(samples: number[], rate = 8000): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "latin1");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const list = Buffer.concat([Buffer.from("LIST", "latin1"), Buffer.from([3, 0, 0, 0]), Buffer.from("abc\0")]);
  const data = Buffer.alloc(8 + samples.length * 2);
  data.write("data", 0, "latin1");
  data.writeUInt32LE(0xffffffff, 4);
  samples.forEach((s, i) => data.writeInt16LE(s, 8 + 2 * i));
  const riff = Buffer.from("RIFF\xff\xff\xff\xffWAVE", "latin1");
  return Buffer.concat([riff, fmt, list, data]);
}

describe("WavReader", () => {
  const samples = Array.from({ length: 999 }, (_, i) => ((i * 7919) % 65536) - 32768);
  const stream = wav(samples);

  it("reads the rate and every sample whatever the chunk boundaries (odd offsets included)", () => {
    for (const size of [1, 2, 3, 7, 44, 45, 4096]) {
      const got: number[] = [];
      const reader = new WavReader((chunk) => got.push(...chunk));
      for (let at = 0; at < stream.length; at += size) {
        // Slices of a larger buffer at odd offsets, as Node may hand them over.
        const padded = Buffer.concat([Buffer.alloc(1), stream.subarray(at, at + size)]);
        reader.push(padded.subarray(1));
      }
      expect(reader.sampleRate).toBe(8000);
      expect(got).toEqual(samples);
    }
  });

  it("refuses what is not 16-bit mono PCM WAV", () => {
    expect(() => new WavReader(() => {}).push(Buffer.from("not a wav file at all"))).toThrow(/WAV/);
  });
});
