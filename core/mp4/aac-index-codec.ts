/**
 * Binary form of an AacIndex, stored where the MP3 seek index is (one object per episode; the magic says
 * which kind it is) and cached by the origin.
 *
 * Every packet size is kept (2 bytes each), because AAC packets carry no headers: a cut cannot find packet
 * boundaries inside the bytes it reads the way the MP3 cut walks frame headers. That makes the index about
 * 2 × 43 bytes per second of audio at 44.1 kHz: ~5.2 KB a minute, ~310 KB for 60 minutes (the source's own stsz is
 * twice that).
 *
 * Layout (big-endian): "ECAI", format version, rate, channels, delay, timeline length, source size, source
 * tag, the sample entry (stsd), packet sizes, chunks (first packet as a varint delta, offset as f64).
 */
import { ByteReader, ByteWriter } from "../format/binary-codec.js";
import { AAC_INDEX_FORMAT_VERSION, type AacIndex } from "./aac-index.js";

const MAGIC = [0x45, 0x43, 0x41, 0x49]; // "ECAI": edgeclip AAC index

/** True when stored index bytes are an AAC index (rather than an MP3 seek index). */
export function isAacIndex(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

export function encodeAacIndex(index: AacIndex): Uint8Array {
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  w.u8(AAC_INDEX_FORMAT_VERSION);
  w.u32(index.sampleRate);
  w.u8(index.channels);
  w.u32(index.encoderDelay);
  w.f64(index.totalSamples);
  w.f64(index.sourceSize);
  const tag = new TextEncoder().encode(index.sourceTag);
  w.u16(tag.length);
  w.bytes(tag);
  w.u16(index.stsd.length);
  w.bytes(index.stsd);
  w.u32(index.sizes.length);
  for (const s of index.sizes) {
    if (s > 0xffff) throw new RangeError(`AAC packet of ${s} bytes`);
    w.u16(s);
  }
  w.u32(index.chunkOffset.length);
  let prev = 0;
  index.chunkFirstPacket.forEach((first, i) => {
    w.varint(first - prev);
    prev = first;
    w.f64(index.chunkOffset[i] ?? 0);
  });
  return w.done();
}

/** Parses an encoded index; throws RangeError on anything malformed or from another format version. */
export function decodeAacIndex(bytes: Uint8Array): AacIndex {
  const r = new ByteReader(bytes);
  if (!isAacIndex(bytes)) throw new RangeError("not an edgeclip AAC index");
  r.bytes(4);
  const formatVersion = r.u8();
  if (formatVersion !== AAC_INDEX_FORMAT_VERSION) throw new RangeError(`AAC index format ${formatVersion} unsupported`);
  const sampleRate = r.u32();
  const channels = r.u8();
  const encoderDelay = r.u32();
  const totalSamples = r.f64();
  const sourceSize = r.f64();
  const sourceTag = new TextDecoder().decode(r.bytes(r.u16()));
  const stsd = r.bytes(r.u16());
  const sizes = new Uint32Array(r.u32());
  for (let i = 0; i < sizes.length; i++) sizes[i] = r.u16();
  const chunks = r.u32();
  const chunkFirstPacket = new Uint32Array(chunks);
  const chunkOffset = new Float64Array(chunks);
  let first = 0;
  for (let i = 0; i < chunks; i++) {
    first += r.varint();
    chunkFirstPacket[i] = first;
    chunkOffset[i] = r.f64();
  }
  if (r.remaining !== 0) throw new RangeError("AAC index has trailing bytes");
  if (sizes.length === 0 || chunks === 0 || chunkFirstPacket[0] !== 0 || sampleRate === 0) {
    throw new RangeError("AAC index is empty or malformed");
  }
  return {
    formatVersion,
    sourceSize,
    sourceTag,
    sampleRate,
    channels,
    stsd,
    encoderDelay,
    totalSamples,
    sizes,
    chunkFirstPacket,
    chunkOffset,
  };
}
