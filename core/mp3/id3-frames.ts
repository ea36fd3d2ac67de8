/**
 * Reads the few frames of a source's ID3v2.3/2.4 tag a clip's label uses: title, album, artist and the
 * front cover. Frames that are compressed or encrypted are skipped, not decoded; ID3v2.2 gives nothing.
 */
import type { Id3Fields, Id3Picture } from "./id3-writer.js";
import { readSyncsafe } from "./id3.js";

function removeUnsync(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out.push(b);
    if (b === 0xff && bytes[i + 1] === 0) i++;
  }
  return Uint8Array.from(out);
}

const DECODERS = ["latin1", "utf-16le", "utf-16be", "utf-8"] as const;

/** Where a string of this encoding ends: one zero byte, or two on an even offset for UTF-16. */
function terminator(bytes: Uint8Array, from: number, encoding: number): number {
  const wide = encoding === 1 || encoding === 2;
  for (let i = from; i < bytes.length; i += wide ? 2 : 1) {
    if (bytes[i] === 0 && (!wide || bytes[i + 1] === 0)) return i;
  }
  return bytes.length;
}

function text(body: Uint8Array): string | undefined {
  const encoding = body[0] ?? 0;
  let decoder: string | undefined = DECODERS[encoding];
  if (!decoder) return undefined;
  // Encoding 1 is UTF-16 with a BOM of either order; TextDecoder does not switch order on its own.
  if (encoding === 1 && body[1] === 0xfe && body[2] === 0xff) decoder = "utf-16be";
  const value = new TextDecoder(decoder).decode(body.subarray(1, terminator(body, 1, encoding))).trim();
  return value === "" ? undefined : value;
}

function picture(body: Uint8Array): { type: number; picture: Id3Picture } | undefined {
  const encoding = body[0] ?? 0;
  const mimeEnd = terminator(body, 1, 0);
  const mime = new TextDecoder("latin1").decode(body.subarray(1, mimeEnd)).toLowerCase();
  const type = body[mimeEnd + 1];
  if (type === undefined || !/^image\/(jpeg|jpg|png)$/.test(mime)) return undefined;
  const descEnd = terminator(body, mimeEnd + 2, encoding);
  const data = body.subarray(descEnd + (encoding === 1 || encoding === 2 ? 2 : 1));
  if (data.length === 0) return undefined;
  return { type, picture: { mime: mime === "image/jpg" ? "image/jpeg" : mime, data: data.slice() } };
}

const TEXT_FRAMES: Readonly<Record<string, "title" | "album" | "artist">> = {
  TIT2: "title",
  TALB: "album",
  TPE1: "artist",
};

/** The label-worthy frames of a whole tag (header included); {} for anything it cannot read. */
export function readId3Fields(tag: Uint8Array): Id3Fields {
  const major = tag[3];
  if (tag.length < 10 || (major !== 3 && major !== 4)) return {};
  const flags = tag[5] ?? 0;
  let body = tag.subarray(10);
  if (flags & 0x80 && major === 3) body = removeUnsync(body);
  let at = 0;
  if (flags & 0x40) {
    const size = major === 4 ? readSyncsafe(body, 0) : new DataView(body.buffer, body.byteOffset).getUint32(0);
    at = size === null ? body.length : major === 4 ? size : size + 4;
  }
  const found: Id3Fields = {};
  let cover: { type: number; picture: Id3Picture } | undefined;
  while (at + 10 <= body.length && body[at] !== 0) {
    const id = new TextDecoder("latin1").decode(body.subarray(at, at + 4));
    const size =
      major === 4 ? readSyncsafe(body, at + 4) : new DataView(body.buffer, body.byteOffset + at + 4).getUint32(0);
    if (size === null || at + 10 + size > body.length) break;
    const formatFlags = body[at + 9] ?? 0;
    const unreadable = major === 4 ? (formatFlags & 0x0f) !== 0 : (formatFlags & 0xc0) !== 0;
    const content = body.subarray(at + 10, at + 10 + size);
    at += 10 + size;
    if (unreadable) continue;
    const key = TEXT_FRAMES[id];
    if (key !== undefined) {
      const value = text(content);
      if (value !== undefined) found[key] ??= value;
    } else if (id === "TXXX") {
      const encoding = content[0] ?? 0;
      const end = terminator(content, 1, encoding);
      const wide = encoding === 1 || encoding === 2;
      const description = text(content.subarray(0, end + (wide ? 2 : 1)));
      const value = text(Uint8Array.of(encoding, ...content.subarray(end + (wide ? 2 : 1))));
      if (description !== undefined) found.user = { ...found.user, [description]: value ?? "" };
    } else if (id === "APIC") {
      const pic = picture(content);
      // The front cover (type 3) wins over any other picture.
      if (pic && (!cover || (pic.type === 3 && cover.type !== 3))) cover = pic;
    }
  }
  if (cover) found.picture = cover.picture;
  return found;
}
