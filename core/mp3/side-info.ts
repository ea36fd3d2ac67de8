/**
 * The few Layer III side-information fields that say where a frame's main data is and how long it is:
 * main_data_begin (how far back into earlier frames it starts) and part2_3_length per granule and
 * channel (its length in bits). Enough to move main data between frames without decoding it.
 * Layout: ISO/IEC 11172-3 2.4.1.7 (MPEG-1) and 13818-3 (MPEG-2/2.5: one granule, no scfsi).
 */
import type { FrameHeader } from "./frame-header.js";

/** Bits per granule and channel after part2_3_length, up to the next granule's part2_3_length. */
const GRANULE_TAIL_BITS = { 1: 59 - 12, 2: 63 - 12 } as const;

function readBits(bytes: Uint8Array, bitOffset: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    v = (v << 1) | (((bytes[bit >>> 3] ?? 0) >>> (7 - (bit & 7))) & 1);
  }
  return v;
}

/** Offset of the side information inside a frame (after the header and the optional CRC). */
export function sideInfoOffset(h: FrameHeader): number {
  return 4 + (h.crcProtected ? 2 : 0);
}

/** Bits of main_data_begin: 9 in MPEG-1, 8 in MPEG-2/2.5. */
function mainDataBeginBits(h: FrameHeader): number {
  return h.version === 1 ? 9 : 8;
}

/** Total main data of the frame at `offset`, in whole bytes (scale factors and Huffman data). */
export function mainDataLength(bytes: Uint8Array, offset: number, h: FrameHeader): number {
  const mpeg1 = h.version === 1;
  const granules = mpeg1 ? 2 : 1;
  const privateBits = mpeg1 ? (h.channels === 1 ? 5 : 3) : h.channels === 1 ? 1 : 2;
  const scfsiBits = mpeg1 ? 4 * h.channels : 0;
  let bit = (offset + sideInfoOffset(h)) * 8 + mainDataBeginBits(h) + privateBits + scfsiBits;
  let total = 0;
  for (let g = 0; g < granules * h.channels; g++) {
    total += readBits(bytes, bit, 12);
    bit += 12 + GRANULE_TAIL_BITS[mpeg1 ? 1 : 2];
  }
  return Math.ceil(total / 8);
}

/** Writes main_data_begin into a frame's side information (`frame` starts at the frame header). */
export function setMainDataBegin(frame: Uint8Array, h: FrameHeader, value: number): void {
  const p = sideInfoOffset(h);
  if (h.version === 1) {
    if (value < 0 || value > 511) throw new RangeError(`main_data_begin ${value} does not fit 9 bits`);
    frame[p] = value >>> 1;
    frame[p + 1] = ((value & 1) << 7) | ((frame[p + 1] ?? 0) & 0x7f);
  } else {
    if (value < 0 || value > 255) throw new RangeError(`main_data_begin ${value} does not fit 8 bits`);
    frame[p] = value;
  }
}
