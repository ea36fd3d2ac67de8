/**
 * CRC-16/ARC (polynomial 0x8005 reflected, initial value 0): the checksum the LAME tag uses for both
 * its own bytes and the music data. Table-driven; a dependency would be larger than this file.
 */

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = crc & 0xffff;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ (TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return c;
}
