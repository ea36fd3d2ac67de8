/**
 * Writes a small ID3v2.3 tag (the version every player and file manager reads) for a clip: text frames in
 * UTF-16 with a BOM (titles carry "–" and any script), TXXX frames, and one front-cover APIC. No padding,
 * no unsynchronisation: the tag ends where the clip's first frame (its Xing/Info frame) begins.
 */
import { writeSyncsafe } from "./id3.js";

export interface Id3Picture {
  mime: string;
  data: Uint8Array;
}

export interface Id3Fields {
  title?: string;
  album?: string;
  artist?: string;
  /** TXXX frames: description → value. */
  user?: Readonly<Record<string, string>>;
  picture?: Id3Picture;
}

function utf16(text: string, terminate: boolean): Uint8Array {
  const out = new Uint8Array(2 + 2 * text.length + (terminate ? 2 : 0));
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 + 2 * i] = unit & 0xff;
    out[3 + 2 * i] = unit >> 8;
  }
  return out;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from([...text].map((c) => (c.charCodeAt(0) < 0x100 ? c.charCodeAt(0) : 0x3f)).concat([0]));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function frame(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + body.length);
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, body.length);
  out.set(body, 10);
  return out;
}

const ENC_UTF16 = Uint8Array.of(1);
const textFrame = (id: string, text: string) => frame(id, concat([ENC_UTF16, utf16(text, false)]));

/** The whole tag, header included; prepend it to MP3 frames. */
export function buildId3v2Tag(fields: Id3Fields): Uint8Array {
  const frames: Uint8Array[] = [];
  if (fields.title) frames.push(textFrame("TIT2", fields.title));
  if (fields.artist) frames.push(textFrame("TPE1", fields.artist));
  if (fields.album) frames.push(textFrame("TALB", fields.album));
  for (const [description, value] of Object.entries(fields.user ?? {})) {
    frames.push(frame("TXXX", concat([ENC_UTF16, utf16(description, true), utf16(value, false)])));
  }
  if (fields.picture) {
    const { mime, data } = fields.picture;
    // Latin-1 encoding (0), MIME type, picture type 3 (front cover), empty description, the image.
    frames.push(frame("APIC", concat([Uint8Array.of(0), latin1(mime), Uint8Array.of(3, 0), data])));
  }
  const body = concat(frames);
  const header = Uint8Array.of(0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0);
  writeSyncsafe(body.length, header, 6);
  return concat([header, body]);
}
