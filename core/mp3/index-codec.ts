/**
 * Binary form of a SeekIndex, stored beside the audio and cached by the origin.
 *
 * Why checkpoints and not every frame: a 60-minute 44.1 kHz file has ~138k frames. Every frame size
 * costs ≥ 1 byte per frame for VBR (~140 KB, 86 KB bit-packed): on a cold miss that alone breaks the
 * "clip bytes + 64 KiB" budget. Checkpoints every 16–17 frames as LEB128 deltas (2 bytes each) make
 * the whole index ~16 KB, and the price, reading up to one stride of frames before and after the clip
 * in the same ranged GET, is ~8 KB per miss at 128 kbit/s (scripts/bench-mp3.ts, 60 min: index 16.3 KB,
 * a 30 s clip reads clip + 7.9 KB warm, clip + 24 KB with the index on a cold miss; budget 64 KiB).
 *
 * Layout (big-endian): "ECMI", format version, stream parameters, optional header-frame / gapless /
 * LAME fields (flag bits), source tag, checkpoint deltas, jumps. Decoding checks every length.
 */
import { INDEX_FORMAT_VERSION, type IndexJump, type SeekIndex } from "./seek-index.js";
import { ByteReader } from "../bytes/byte-reader.js";
import { ByteWriter } from "../bytes/byte-writer.js";
import type { MpegLayer, MpegVersion } from "./frame-header.js";

const MAGIC = [0x45, 0x43, 0x4d, 0x49]; // "ECMI": edgeclip MP3 index
const HEADER_KINDS = ["Xing", "Info", "VBRI"] as const;
const FLAG_HEADER_FRAME = 1;
const FLAG_GAPLESS = 2;
const FLAG_LAME = 4;
const FLAG_QUALITY = 8;

const VERSION_CODES: Record<number, MpegVersion> = { 10: 1, 20: 2, 25: 2.5 };

type OptionalFields = Pick<SeekIndex, "headerFrame" | "gapless" | "lame" | "xingQuality">;

function encodeOptional(w: ByteWriter, index: OptionalFields): void {
  const flags =
    (index.headerFrame ? FLAG_HEADER_FRAME : 0) |
    (index.gapless ? FLAG_GAPLESS : 0) |
    (index.lame ? FLAG_LAME : 0) |
    (index.xingQuality !== null ? FLAG_QUALITY : 0);
  w.u8(flags);
  if (index.headerFrame) {
    w.u8(HEADER_KINDS.indexOf(index.headerFrame.kind));
    w.f64(index.headerFrame.offset);
    w.u16(index.headerFrame.length);
  }
  if (index.gapless) {
    w.u16(index.gapless.encoderDelay);
    w.u16(index.gapless.encoderPadding);
  }
  if (index.lame) {
    const enc = new Uint8Array(9);
    enc.set(index.lame.encoderBytes.subarray(0, 9));
    w.bytes(enc);
    w.u8(index.lame.revisionAndMethod);
    w.u8(index.lame.lowpass);
    w.u8(index.lame.encodingFlags);
    w.u8(index.lame.bitrate);
    w.u8(index.lame.misc);
    w.u16(index.lame.presetAndSurround);
  }
  if (index.xingQuality !== null) w.u32(index.xingQuality);
}

function decodeOptional(r: ByteReader): OptionalFields {
  const flags = r.u8();
  let headerFrame: SeekIndex["headerFrame"] = null;
  if (flags & FLAG_HEADER_FRAME) {
    const kind = HEADER_KINDS[r.u8()];
    if (!kind) throw new RangeError("seek index has a bad header frame kind");
    headerFrame = { kind, offset: r.f64(), length: r.u16() };
  }
  const gapless = flags & FLAG_GAPLESS ? { encoderDelay: r.u16(), encoderPadding: r.u16() } : null;
  const lame =
    flags & FLAG_LAME
      ? {
          encoderBytes: r.bytes(9),
          revisionAndMethod: r.u8(),
          lowpass: r.u8(),
          encodingFlags: r.u8(),
          bitrate: r.u8(),
          misc: r.u8(),
          presetAndSurround: r.u16(),
        }
      : null;
  const xingQuality = flags & FLAG_QUALITY ? r.u32() : null;
  return { headerFrame, gapless, lame, xingQuality };
}

/** Checkpoints as deltas from the previous one, jumps as frame deltas and offsets from the audio start. */
function encodeOffsets(w: ByteWriter, index: SeekIndex): void {
  let prev = index.audioStart;
  for (const c of index.checkpoints) {
    w.varint(c - prev);
    prev = c;
  }
  w.varint(index.jumps.length);
  let prevFrame = 0;
  for (const j of index.jumps) {
    w.varint(j.frame - prevFrame);
    w.varint(j.offset - index.audioStart);
    prevFrame = j.frame;
  }
}

function decodeOffsets(
  r: ByteReader,
  s: Pick<SeekIndex, "frameCount" | "stride" | "audioStart" | "audioEnd">,
): Pick<SeekIndex, "checkpoints" | "jumps"> {
  if (s.stride < 1 || s.frameCount < 1) throw new RangeError("seek index is empty");
  const checkpoints = new Float64Array(Math.ceil(s.frameCount / s.stride));
  let prev = s.audioStart;
  for (let i = 0; i < checkpoints.length; i++) {
    prev += r.varint();
    checkpoints[i] = prev;
  }
  if (checkpoints[0] !== s.audioStart || prev >= s.audioEnd) {
    throw new RangeError("seek index checkpoints out of range");
  }
  const jumps: IndexJump[] = [];
  const jumpCount = r.varint();
  let frame = 0;
  for (let i = 0; i < jumpCount; i++) {
    frame += r.varint();
    jumps.push({ frame, offset: s.audioStart + r.varint() });
  }
  return { checkpoints, jumps };
}

export function encodeSeekIndex(index: SeekIndex): Uint8Array {
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  w.u8(INDEX_FORMAT_VERSION);
  w.u8(index.version * 10);
  w.u8(index.layer);
  w.u8(index.channels);
  w.u32(index.sampleRate);
  w.u16(index.samplesPerFrame);
  w.u16(index.stride);
  w.u32(index.frameCount);
  w.u16(index.minBitrateKbps);
  w.u16(index.maxBitrateKbps);
  w.f64(index.sourceSize);
  w.f64(index.audioStart);
  w.f64(index.audioEnd);
  encodeOptional(w, index);
  const tag = new TextEncoder().encode(index.sourceTag);
  w.u16(tag.length);
  w.bytes(tag);
  encodeOffsets(w, index);
  return w.done();
}

/** Parses an encoded index; throws RangeError on anything malformed or from another format version. */
export function decodeSeekIndex(bytes: Uint8Array): SeekIndex {
  const r = new ByteReader(bytes, "seek index");
  for (const b of MAGIC) if (r.u8() !== b) throw new RangeError("not an edgeclip MP3 seek index");
  const formatVersion = r.u8();
  if (formatVersion !== INDEX_FORMAT_VERSION) throw new RangeError(`seek index format ${formatVersion} unsupported`);
  const version = VERSION_CODES[r.u8()];
  const layer = r.u8();
  const channels = r.u8();
  if (!version || layer < 1 || layer > 3 || (channels !== 1 && channels !== 2)) {
    throw new RangeError("seek index has bad stream parameters");
  }
  const stream = {
    sampleRate: r.u32(),
    samplesPerFrame: r.u16(),
    stride: r.u16(),
    frameCount: r.u32(),
    minBitrateKbps: r.u16(),
    maxBitrateKbps: r.u16(),
    sourceSize: r.f64(),
    audioStart: r.f64(),
    audioEnd: r.f64(),
  };
  const optional = decodeOptional(r);
  const sourceTag = new TextDecoder().decode(r.bytes(r.u16()));
  const offsets = decodeOffsets(r, stream);
  if (r.remaining !== 0) throw new RangeError("seek index has trailing bytes");
  return { formatVersion, sourceTag, version, layer: layer as MpegLayer, channels, ...stream, ...optional, ...offsets };
}
