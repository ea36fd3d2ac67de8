/**
 * Finds and reads the `moov` box of an MP4 by ranged reads, wherever it is: faststart files have it
 * right after `ftyp`, FFmpeg's default (and most recorders) put it after `mdat`, at the end. Top-level
 * boxes are walked by their headers alone, so the media data is never downloaded: one read of the head,
 * then one 16-byte read per box header beyond it, then one read of the `moov` itself.
 */
import { ClipError } from "../errors.js";
import { readExact, type ByteSource } from "../mp3/byte-source.js";
import { readBoxHeader } from "./boxes.js";

/**
 * Enough for ftyp and the first box headers; a faststart moov that runs past it is fetched whole with one
 * more read (reading a bigger head would only add bytes to every cold index build).
 */
const HEAD_BYTES = 4096;
/** A 60-minute AAC moov is ~0.7 MB (4 bytes per packet); past this the file is not an audio episode. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
const MAX_TOP_LEVEL_BOXES = 1024;

export interface FoundMoov {
  /** The whole `moov` box, header included. */
  bytes: Uint8Array;
  /** Its offset in the source. */
  offset: number;
  /** Bytes read from the source to find and fetch it. */
  bytesRead: number;
}

function unprocessable(message: string): ClipError {
  return new ClipError("unprocessable_source", message);
}

export async function findMoov(source: ByteSource): Promise<FoundMoov> {
  const size = source.size;
  const head = await readExact(source, 0, Math.min(size, HEAD_BYTES));
  let bytesRead = head.length;
  let at = 0;
  for (let n = 0; n < MAX_TOP_LEVEL_BOXES && at + 8 <= size; n++) {
    let header: Uint8Array = head;
    let base = 0;
    if (at + 16 > head.length) {
      header = await readExact(source, at, Math.min(size, at + 16));
      bytesRead += header.length;
      base = at;
    }
    const box = readBoxHeader(header, at - base, header.length);
    if (!box) break;
    const start = box.start + base;
    const end = Math.min(box.end + base, size);
    if (box.type === "moof") throw unprocessable("fragmented MP4 (moof boxes) is not indexed");
    if (box.type === "moov") {
      if (end - start > MAX_MOOV_BYTES) throw unprocessable(`the moov box is ${end - start} bytes`);
      if (box.end + base > size) throw unprocessable("the moov box is cut short (truncated file)");
      if (end <= head.length) return { bytes: head.subarray(start, end), offset: start, bytesRead };
      const bytes = await readExact(source, start, end);
      return { bytes, offset: start, bytesRead: bytesRead + bytes.length };
    }
    if (end <= start) break;
    at = end;
  }
  throw unprocessable("no moov box (an MP4 still being written, or not MP4)");
}
