/**
 * The audio track of a `moov`: the first track whose handler is `soun` and whose sample entry is
 * `mp4a` (so a video podcast gives its audio alone), with its sample table flattened into packet sizes
 * and chunk offsets, its edit list and its `iTunSMPB`. What cannot be copied exactly is refused here with
 * the reason, and the origin re-encodes it with FFmpeg instead.
 */
import { ClipError } from "../errors.js";
import { childBoxes, descend, fullBox, type Box } from "./boxes.js";
import { esdsAudioConfig, mp4aEsds, parseAudioSpecificConfig, type AudioConfig } from "./audio-config.js";
import { readSmpb, type Smpb } from "./itunes-smpb.js";

/** Samples per AAC-LC packet; 960-sample framing and SBR's doubled output are refused. */
export const AAC_PACKET_SAMPLES = 1024;

export interface AudioTrack {
  timescale: number;
  movieTimescale: number;
  config: AudioConfig;
  /** The track's whole `stsd` box, copied into clips unchanged. */
  stsd: Uint8Array;
  sizes: Uint32Array;
  /** Per chunk: its first packet and its offset in the file. */
  chunkFirstPacket: Uint32Array;
  chunkOffset: Float64Array;
  /** The first edit that plays media: its start (media timescale) and length (movie timescale). */
  edit: { mediaTime: number; duration: number } | null;
  smpb: Smpb | undefined;
}

function refuse(message: string): ClipError {
  return new ClipError("unprocessable_source", message);
}

function isAudioTrak(b: Uint8Array, trak: Box): boolean {
  const hdlr = descend(b, trak, ["mdia", "hdlr"]);
  if (!hdlr) return false;
  const { r } = fullBox(b, hdlr);
  r.skip(4);
  return String.fromCharCode(...r.bytes(4)) === "soun";
}

function readEdit(b: Uint8Array, trak: Box): AudioTrack["edit"] {
  const elst = descend(b, trak, ["edts", "elst"]);
  if (!elst) return null;
  const { version, r } = fullBox(b, elst);
  const count = r.u32();
  const edits: { duration: number; mediaTime: number }[] = [];
  for (let i = 0; i < count; i++) {
    const duration = version === 1 ? r.u64() : r.u32();
    const mediaTime = version === 1 ? r.i64() : r.i32();
    const rate = r.u32();
    if (mediaTime === -1) continue; // an empty edit: a delay before the track, nothing to trim
    if (rate !== 0x10000) throw refuse("an edit list with a media rate other than 1");
    edits.push({ duration, mediaTime });
  }
  if (edits.length > 1) throw refuse(`an edit list with ${edits.length} media edits`);
  return edits[0] ?? null;
}

/** stts: every packet but the last must last exactly one AAC frame, or times are not packet counts. */
function checkDurations(b: Uint8Array, stbl: Box, packets: number): void {
  const stts = descend(b, stbl, ["stts"]);
  if (!stts) throw refuse("no stts box");
  const { r } = fullBox(b, stts);
  const entries = r.u32();
  let seen = 0;
  for (let i = 0; i < entries; i++) {
    const count = r.u32();
    const delta = r.u32();
    const last = seen + count === packets;
    if (delta !== AAC_PACKET_SAMPLES && !(last && count === 1 && delta < AAC_PACKET_SAMPLES)) {
      throw refuse(`packets of ${delta} samples (stts), not ${AAC_PACKET_SAMPLES}`);
    }
    seen += count;
  }
  if (seen !== packets) throw refuse(`stts covers ${seen} packets, stsz ${packets}`);
}

function readSizes(b: Uint8Array, stbl: Box): Uint32Array {
  const stsz = descend(b, stbl, ["stsz"]);
  if (!stsz) throw refuse("no stsz box (compact stz2 is not supported)");
  const { r } = fullBox(b, stsz);
  const fixed = r.u32();
  const count = r.u32();
  const sizes = new Uint32Array(count);
  for (let i = 0; i < count; i++) sizes[i] = fixed || r.u32();
  return sizes;
}

function readChunks(b: Uint8Array, stbl: Box, packets: number): Pick<AudioTrack, "chunkFirstPacket" | "chunkOffset"> {
  const co = descend(b, stbl, ["stco"]) ?? descend(b, stbl, ["co64"]);
  const stsc = descend(b, stbl, ["stsc"]);
  if (!co || !stsc) throw refuse("no stco/co64 or stsc box");
  const { r } = fullBox(b, co);
  const chunks = r.u32();
  const chunkOffset = new Float64Array(chunks);
  for (let i = 0; i < chunks; i++) chunkOffset[i] = co.type === "co64" ? r.u64() : r.u32();
  const s = fullBox(b, stsc).r;
  const runs = Array.from({ length: s.u32() }, () => {
    const run = { firstChunk: s.u32() - 1, perChunk: s.u32() };
    s.skip(4);
    return run;
  });
  const chunkFirstPacket = new Uint32Array(chunks);
  let packet = 0;
  for (let i = 0, run = 0; i < chunks; i++) {
    while (run + 1 < runs.length && (runs[run + 1]?.firstChunk ?? Infinity) <= i) run++;
    chunkFirstPacket[i] = packet;
    packet += runs[run]?.perChunk ?? 0;
  }
  if (packet < packets) throw refuse(`stsc/stco hold ${packet} packets, stsz ${packets}`);
  return { chunkFirstPacket, chunkOffset };
}

export function readAudioTrack(b: Uint8Array): AudioTrack {
  const moov = childBoxes(b, 0, b.length).find((x) => x.type === "moov");
  if (!moov) throw refuse("no moov box");
  const mvhd = descend(b, moov, ["mvhd"]);
  if (!mvhd) throw refuse("no mvhd box");
  const mv = fullBox(b, mvhd);
  mv.r.skip(mv.version === 1 ? 16 : 8);
  const movieTimescale = mv.r.u32();
  const trak = childBoxes(b, moov.body, moov.end).find((t) => t.type === "trak" && isAudioTrak(b, t));
  if (!trak) throw refuse("no audio track");
  const stbl = descend(b, trak, ["mdia", "minf", "stbl"]);
  const mdhd = descend(b, trak, ["mdia", "mdhd"]);
  const stsd = stbl && descend(b, stbl, ["stsd"]);
  if (!stbl || !mdhd || !stsd) throw refuse("the audio track has no sample table");
  const entry = childBoxes(b, stsd.body + 8, stsd.end)[0];
  if (entry?.type !== "mp4a") throw refuse(`audio in ${JSON.stringify(entry?.type ?? "")}, not AAC (mp4a)`);
  const esds = mp4aEsds(b, entry);
  const found = esds && esdsAudioConfig(b, esds);
  if (!found || found.objectTypeIndication !== 0x40) throw refuse("an mp4a entry without MPEG-4 audio config");
  const config = parseAudioSpecificConfig(found.asc);
  if (config.sbr) throw refuse(`HE-AAC (object type ${config.objectType}) is not copied`);
  if (config.objectType !== 2 || config.channels < 1 || config.channels > 2) {
    throw refuse(`AAC object type ${config.objectType} with channel configuration ${config.channels}`);
  }
  const md = fullBox(b, mdhd);
  md.r.skip(md.version === 1 ? 16 : 8);
  const timescale = md.r.u32();
  if (timescale !== config.sampleRate)
    throw refuse(`media timescale ${timescale} is not the ${config.sampleRate} Hz rate`);
  const sizes = readSizes(b, stbl);
  if (sizes.length === 0) throw refuse("the audio track has no packets");
  checkDurations(b, stbl, sizes.length);
  return {
    timescale,
    movieTimescale,
    config,
    stsd: b.slice(stsd.start, stsd.end),
    sizes,
    ...readChunks(b, stbl, sizes.length),
    edit: readEdit(b, trak),
    smpb: readSmpb(b, moov),
  };
}
