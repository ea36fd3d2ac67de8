/**
 * Binary form of an AacIndex, stored where the MP3 seek index is (the episode's index document; the magic
 * says which kind it is) and cached by the origin.
 *
 * AAC packets carry no headers, so a cut cannot find packet boundaries in the bytes it reads the way the
 * MP3 cut walks frame headers: it needs every size of the packets it copies. All sizes are 2 bytes per
 * packet (~310 KB for 60 minutes at 44.1 kHz), far past the 64 KiB a cold cut may read besides the clip.
 * So the encoding is a small head (checkpoints every 16 packets, jumps, the sample entry: ~20 KB for 60
 * minutes) followed by the sizes as a fixed-width array (aacSizesByteRange), which the store splits into
 * chunks: a container without the index reads the head and then only the chunks of sizes its clip needs.
 *
 * Layout (big-endian): "ECAI", format version, head length (u32), rate, channels, delay, timeline length,
 * source size, source tag, stsd, packet count, stride, checkpoint deltas (zigzag varints), jumps; then at
 * the head length, packet sizes as u16.
 */
import { ByteReader } from "../bytes/byte-reader.js";
import { ByteWriter } from "../bytes/byte-writer.js";
import { AAC_INDEX_FORMAT_VERSION, type AacIndex } from "./aac-index.js";
import type { PacketJump } from "./packet-layout.js";

const MAGIC = [0x45, 0x43, 0x41, 0x49]; // "ECAI": edgeclip AAC index
/** Magic, version and the head length. */
export const AAC_INDEX_PREFIX_LENGTH = 9;

/** True when stored index bytes are an AAC index (rather than an MP3 seek index). */
export function isAacIndex(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** The head's length, from the first AAC_INDEX_PREFIX_LENGTH bytes. */
export function aacIndexHeadLength(bytes: Uint8Array): number {
  if (bytes.length < AAC_INDEX_PREFIX_LENGTH || !isAacIndex(bytes)) throw new RangeError("not an edgeclip AAC index");
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5);
}

/** Where the sizes of packets [from, to) are in the stored object. */
export function aacSizesByteRange(headLength: number, from: number, to: number): { start: number; end: number } {
  return { start: headLength + 2 * from, end: headLength + 2 * to };
}

export function decodeAacSizes(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 2 !== 0) throw new RangeError("AAC index sizes truncated");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length: bytes.length / 2 }, (_, i) => dv.getUint16(2 * i));
}

const zigzag = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (v: number) => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

function writeHead(w: ByteWriter, index: AacIndex): void {
  w.u32(index.sampleRate);
  w.u8(index.channels);
  w.u32(index.encoderDelay);
  w.f64(index.totalSamples);
  w.f64(index.sourceSize);
  w.u8(index.packetHeader);
  const tag = new TextEncoder().encode(index.sourceTag);
  w.u16(tag.length);
  w.bytes(tag);
  w.u16(index.stsd.length);
  w.bytes(index.stsd);
  w.u32(index.packetCount);
  w.u16(index.stride);
  let prev = 0;
  for (const c of index.checkpoints) {
    w.varint(zigzag(c - prev));
    prev = c;
  }
  w.varint(index.jumps.length);
  let prevPacket = 0;
  for (const j of index.jumps) {
    w.varint(j.packet - prevPacket);
    w.f64(j.offset);
    prevPacket = j.packet;
  }
}

export function encodeAacIndex(index: AacIndex): Uint8Array {
  if (index.sizesFrom !== 0 || index.sizes.length !== index.packetCount)
    throw new RangeError("index without all sizes");
  const head = new ByteWriter();
  writeHead(head, index);
  const body = head.done();
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  w.u8(AAC_INDEX_FORMAT_VERSION);
  w.u32(AAC_INDEX_PREFIX_LENGTH + body.length);
  w.bytes(body);
  for (const s of index.sizes) {
    if (s > 0xffff) throw new RangeError(`AAC packet of ${s} bytes`);
    w.u16(s);
  }
  return w.done();
}

/**
 * Parses a stored index: the whole object, or only its head (then `sizes` is empty and a cut loads the window
 * it needs). Throws RangeError on anything malformed or from another format version.
 */
export function decodeAacIndex(bytes: Uint8Array): AacIndex {
  const headLength = aacIndexHeadLength(bytes);
  const r = new ByteReader(bytes.subarray(0, headLength));
  r.bytes(4);
  const formatVersion = r.u8();
  if (formatVersion !== AAC_INDEX_FORMAT_VERSION) throw new RangeError(`AAC index format ${formatVersion} unsupported`);
  r.u32();
  const sampleRate = r.u32();
  const channels = r.u8();
  const encoderDelay = r.u32();
  const totalSamples = r.f64();
  const sourceSize = r.f64();
  const packetHeader = r.u8();
  const sourceTag = new TextDecoder().decode(r.bytes(r.u16()));
  const stsd = r.bytes(r.u16());
  const packetCount = r.u32();
  const stride = r.u16();
  if (packetCount === 0 || stride === 0 || sampleRate === 0) throw new RangeError("AAC index is empty or malformed");
  const checkpoints = new Float64Array(Math.ceil(packetCount / stride));
  let prev = 0;
  for (let i = 0; i < checkpoints.length; i++) checkpoints[i] = prev += unzigzag(r.varint());
  const jumps: PacketJump[] = [];
  let packet = 0;
  for (let i = r.varint(); i > 0; i--) jumps.push({ packet: (packet += r.varint()), offset: r.f64() });
  if (r.remaining !== 0) throw new RangeError("AAC index head has trailing bytes");
  const rest = bytes.length - headLength;
  if (rest !== 0 && rest !== 2 * packetCount) throw new RangeError("AAC index sizes truncated");
  const sizes = decodeAacSizes(bytes.subarray(headLength));
  return {
    ...{ formatVersion, sourceSize, sourceTag, sampleRate, channels, stsd, encoderDelay, totalSamples, packetHeader },
    ...{ packetCount, stride, checkpoints, jumps, sizesFrom: 0, sizes },
  };
}
