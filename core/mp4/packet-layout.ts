/**
 * Where each AAC packet of a source is, without a table of every offset: the offset of every `stride`-th
 * packet (a checkpoint), the packets that do not start where the previous one ended (a jump: a chunk after
 * another track's data, as in a video podcast) and the packet sizes. A packet's offset is the nearest
 * checkpoint or jump before it plus the sizes in between, so a cut needs only the sizes from the
 * checkpoint before its first packet to its last: an index loaded from the store fetches just that window
 * of sizes (a few KB) instead of all of them (~310 KB for 60 minutes).
 */

export const PACKET_STRIDE = 16;

export interface PacketJump {
  packet: number;
  offset: number;
}

export interface PacketLayout {
  packetCount: number;
  stride: number;
  /** Offsets of packets 0, stride, 2 × stride, … */
  checkpoints: Float64Array;
  /** Ascending by packet. */
  jumps: PacketJump[];
  /** Sizes of packets [sizesFrom, sizesFrom + sizes.length): all of them, or a window loaded for one cut. */
  sizesFrom: number;
  sizes: Uint32Array;
}

/** The layout of a track from its chunk table (first packet and offset of each chunk) and packet sizes. */
export function layoutFromChunks(
  sizes: Uint32Array,
  chunkFirstPacket: Uint32Array,
  chunkOffset: Float64Array,
  stride = PACKET_STRIDE,
): PacketLayout {
  const checkpoints = new Float64Array(Math.ceil(sizes.length / stride));
  const jumps: PacketJump[] = [];
  let at = 0;
  let chunk = 0;
  for (let p = 0; p < sizes.length; p++) {
    while (chunk < chunkFirstPacket.length && (chunkFirstPacket[chunk] ?? 0) === p) {
      const offset = chunkOffset[chunk] ?? 0;
      if (offset !== at || p === 0) jumps.push({ packet: p, offset });
      at = offset;
      chunk++;
    }
    if (p % stride === 0) checkpoints[p / stride] = at;
    at += sizes[p] ?? 0;
  }
  // Packet 0's offset is checkpoint 0; the jump list only needs packets after a gap.
  if (jumps[0]?.packet === 0) jumps.shift();
  return { packetCount: sizes.length, stride, checkpoints, jumps, sizesFrom: 0, sizes };
}

/** The last jump at or before packet p that is after checkpoint `since` (binary search), or undefined. */
function jumpBefore(layout: PacketLayout, p: number, since: number): PacketJump | undefined {
  let lo = 0;
  let hi = layout.jumps.length - 1;
  let found: PacketJump | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const j = layout.jumps[mid];
    if (j && j.packet <= p) {
      found = j;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && found.packet > since ? found : undefined;
}

/** Packets whose sizes a cut of [first, last] needs: from the checkpoint before `first` to `last`. */
export function sizesWindow(layout: PacketLayout, first: number, last: number): { from: number; to: number } {
  return { from: Math.floor(first / layout.stride) * layout.stride, to: Math.min(layout.packetCount, last + 1) };
}

export function packetSize(layout: PacketLayout, p: number): number {
  const size = layout.sizes[p - layout.sizesFrom];
  if (size === undefined || p < layout.sizesFrom) throw new RangeError(`packet ${p} is outside the loaded sizes`);
  return size;
}

/** Where packet p starts in the source (its sizes window must be loaded). */
export function packetOffset(layout: PacketLayout, p: number): number {
  const base = Math.floor(p / layout.stride) * layout.stride;
  const jump = jumpBefore(layout, p, base);
  let q = jump ? jump.packet : base;
  let at = jump ? jump.offset : (layout.checkpoints[base / layout.stride] ?? NaN);
  for (; q < p; q++) at += packetSize(layout, q);
  return at;
}

/**
 * Bytes that hold packets [first, last] whatever their sizes, from the checkpoints alone: from the checkpoint
 * at or before `first` to the next checkpoint after `last`. Lets a cut read the source while the sizes it needs
 * are still on their way (#15), for a few KB more than the exact span. Undefined where offsets may not grow
 * with the packet number (a jump in that stretch) or no checkpoint follows `last`.
 */
export function spanBound(
  layout: PacketLayout,
  first: number,
  last: number,
): { start: number; end: number } | undefined {
  const from = Math.floor(first / layout.stride);
  const to = Math.ceil((last + 1) / layout.stride);
  if (to >= layout.checkpoints.length) return undefined;
  const lo = from * layout.stride;
  const hi = to * layout.stride;
  if (layout.jumps.some((j) => j.packet > lo && j.packet <= hi)) return undefined;
  const start = layout.checkpoints[from];
  const end = layout.checkpoints[to];
  if (start === undefined || end === undefined || !(end > start)) return undefined;
  return { start, end };
}

/** The same layout with a window of sizes put in (from an index loaded without them). */
export function withSizes<T extends PacketLayout>(layout: T, from: number, sizes: Uint32Array): T {
  return { ...layout, sizesFrom: from, sizes };
}

export function hasSizes(layout: PacketLayout, from: number, to: number): boolean {
  return from >= layout.sizesFrom && to <= layout.sizesFrom + layout.sizes.length;
}
