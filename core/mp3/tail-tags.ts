/**
 * The tags some writers append after the audio (ID3v1, APEv2), whose bytes must never be read as frames.
 */
import { readExact, type ByteSource } from "./byte-source.js";
import { ID3V1_LENGTH, isId3v1 } from "./id3.js";

/** Bytes of ID3v1 and APEv2 tags at the end of `source`, never reaching before `audioStart`. */
export async function tailTagsLength(source: ByteSource, audioStart: number): Promise<number> {
  const n = Math.min(source.size - audioStart, ID3V1_LENGTH + 32);
  if (n < 32) return 0;
  const tail = await readExact(source, source.size - n, source.size);
  let cut = 0;
  if (n >= ID3V1_LENGTH && isId3v1(tail.subarray(n - ID3V1_LENGTH))) cut = ID3V1_LENGTH;
  const apeAt = n - cut - 32;
  if (apeAt >= 0 && String.fromCharCode(...tail.subarray(apeAt, apeAt + 8)) === "APETAGEX") {
    const dv = new DataView(tail.buffer, tail.byteOffset + apeAt, 32);
    const hasHeader = (dv.getUint32(20, true) & 0x80000000) !== 0;
    cut += dv.getUint32(12, true) + (hasHeader ? 32 : 0);
  }
  return Math.min(cut, source.size - audioStart);
}
