/**
 * Writes an M4A clip from copied AAC packets: `ftyp`, a `moov` describing one audio track, then `mdat`
 * (moov first, so a player can start before the whole file has arrived). The edit list starts
 * playback `mediaTime` samples into the packets, past the decoder pre-roll, and lasts exactly
 * `durationSamples`; `iTunSMPB` says the same for players that read it (Apple's). Timescales are the
 * sample rate, so every time here is an exact sample count.
 *
 * Why not mediabunny's writer: it computes the edit list from packet timestamps in seconds and trims
 * only the start (the edit lasts to the end of the last packet), and it writes no iTunSMPB.
 */
import { AAC_PACKET_SAMPLES } from "./audio-track.js";
import { UNITY_MATRIX, ascii, box, flatten, fullBox, i32, u16, u32, u32s, zeros, type Part } from "./box-writer.js";
import { SMPB_MEAN, SMPB_NAME, formatSmpb } from "./itunes-smpb.js";

export const M4A_CONTENT_TYPE = "audio/mp4";

export interface M4aClip {
  sampleRate: number;
  /** The source's `stsd` box (sample entry with its decoder config), copied as it is. */
  stsd: Uint8Array;
  /** Sizes of the packets in `payload`, in order. */
  sizes: ArrayLike<number>;
  payload: Uint8Array;
  /** Decoded samples to skip at the start (pre-roll and the part of the first kept packet before the start). */
  mediaTime: number;
  durationSamples: number;
}

const LANGUAGE_UND = 0x55c4; // "und", packed ISO 639-2/T

function trak(c: M4aClip, chunkOffset: number): Part {
  const n = c.sizes.length;
  const mediaDuration = n * AAC_PACKET_SAMPLES;
  const sizes = u32s(c.sizes);
  const stbl = box(
    "stbl",
    c.stsd,
    fullBox("stts", 0, 0, u32(1), u32(n), u32(AAC_PACKET_SAMPLES)),
    fullBox("stsc", 0, 0, u32(1), u32(1), u32(n), u32(1)),
    fullBox("stsz", 0, 0, u32(0), u32(n), sizes),
    fullBox("stco", 0, 0, u32(1), u32(chunkOffset)),
  );
  const minf = box(
    "minf",
    fullBox("smhd", 0, 0, u16(0), u16(0)),
    box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1))),
    stbl,
  );
  const mdia = box(
    "mdia",
    fullBox("mdhd", 0, 0, u32(0), u32(0), u32(c.sampleRate), u32(mediaDuration), u16(LANGUAGE_UND), u16(0)),
    fullBox("hdlr", 0, 0, u32(0), ascii("soun"), zeros(12), ascii("SoundHandler\0")),
    minf,
  );
  const tkhd = fullBox(
    "tkhd",
    0,
    3, // enabled, in movie
    [u32(0), u32(0), u32(1), u32(0), u32(c.durationSamples), zeros(8), u16(0), u16(0), u16(0x0100), u16(0)],
    UNITY_MATRIX,
    [u32(0), u32(0)],
  );
  const elst = fullBox("elst", 0, 0, u32(1), u32(c.durationSamples), i32(c.mediaTime), u16(1), u16(0));
  return box("trak", tkhd, box("edts", elst), mdia);
}

function smpbItem(c: M4aClip): Part {
  const padding = c.sizes.length * AAC_PACKET_SAMPLES - c.mediaTime - c.durationSamples;
  const value = formatSmpb({ priming: c.mediaTime, padding, samples: c.durationSamples });
  const item = box(
    "----",
    fullBox("mean", 0, 0, ascii(SMPB_MEAN)),
    fullBox("name", 0, 0, ascii(SMPB_NAME)),
    box("data", u32(1), u32(0), ascii(value)),
  );
  const hdlr = fullBox("hdlr", 0, 0, u32(0), ascii("mdir"), ascii("appl"), zeros(9));
  return box("udta", fullBox("meta", 0, 0, hdlr, box("ilst", item)));
}

function moov(c: M4aClip, chunkOffset: number): Part {
  const mvhd = fullBox(
    "mvhd",
    0,
    0,
    [u32(0), u32(0), u32(c.sampleRate), u32(c.durationSamples), u32(0x10000), u16(0x0100), zeros(10)],
    UNITY_MATRIX,
    [zeros(24), u32(2)],
  );
  return box("moov", mvhd, trak(c, chunkOffset), smpbItem(c));
}

export function writeM4a(c: M4aClip): Uint8Array {
  const packets = c.sizes.length;
  if (packets === 0 || c.mediaTime < 0 || c.durationSamples <= 0) throw new RangeError("empty M4A clip");
  if (c.mediaTime + c.durationSamples > packets * AAC_PACKET_SAMPLES) throw new RangeError("edit past the packets");
  const ftyp = flatten(box("ftyp", ascii("M4A "), u32(0x200), ascii("M4A "), ascii("mp42"), ascii("isom")));
  const moovLength = flatten(moov(c, 0)).length;
  const header = flatten([ftyp, moov(c, ftyp.length + moovLength + 8)]);
  return flatten([header, u32(8 + c.payload.length), ascii("mdat"), c.payload]);
}
