/**
 * `iTunSMPB`: the gapless information Apple's encoders and players use (iTunes-style metadata item
 * `----` with mean "com.apple.iTunes", name "iTunSMPB"): priming samples, end padding and the count of
 * real samples, as hex words. Read from sources that carry no usable edit list, written into clips so
 * players that trust it more than the edit list trim the same samples.
 */
import { childBoxes, descend, fourCC, type Box } from "./boxes.js";

export interface Smpb {
  priming: number;
  padding: number;
  samples: number;
}

const MEAN = "com.apple.iTunes";
const NAME = "iTunSMPB";

export function parseSmpb(text: string): Smpb | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length < 4 || !words.slice(0, 4).every((w) => /^[0-9A-Fa-f]{1,16}$/.test(w))) return undefined;
  const [, priming = "0", padding = "0", samples = "0"] = words;
  return { priming: parseInt(priming, 16), padding: parseInt(padding, 16), samples: parseInt(samples, 16) };
}

/** The `ilst` of moov/udta/meta; `meta` is a full box in MP4 and a plain one in QuickTime. */
function ilst(b: Uint8Array, moov: Box): Box | undefined {
  const meta = descend(b, moov, ["udta", "meta"]);
  if (!meta) return undefined;
  const plain = fourCC(b, meta.body + 4) === "hdlr";
  return childBoxes(b, plain ? meta.body : meta.body + 4, meta.end).find((c) => c.type === "ilst");
}

export function readSmpb(b: Uint8Array, moov: Box): Smpb | undefined {
  const list = ilst(b, moov);
  if (!list) return undefined;
  const text = (box: Box, skip: number) => new TextDecoder().decode(b.subarray(box.body + skip, box.end));
  for (const item of childBoxes(b, list.body, list.end)) {
    if (item.type !== "----") continue;
    const parts = childBoxes(b, item.body, item.end);
    const mean = parts.find((p) => p.type === "mean");
    const name = parts.find((p) => p.type === "name");
    const data = parts.find((p) => p.type === "data");
    if (!mean || !name || !data || text(mean, 4) !== MEAN || text(name, 4) !== NAME) continue;
    return parseSmpb(text(data, 8));
  }
  return undefined;
}

const hex = (v: number, width: number) => v.toString(16).toUpperCase().padStart(width, "0");

/** The value iTunes writes: twelve hex words, of which the first four carry the numbers. */
export function formatSmpb(s: Smpb): string {
  const words = [hex(0, 8), hex(s.priming, 8), hex(s.padding, 8), hex(s.samples, 16)];
  for (let i = 0; i < 8; i++) words.push(hex(0, 8));
  return ` ${words.join(" ")}`;
}

export { MEAN as SMPB_MEAN, NAME as SMPB_NAME };
