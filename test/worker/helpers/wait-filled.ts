import { waitFor } from "../../shared/wait-for.js";
import type { Edge } from "./edge.js";

/** The edge fills its cache and R2 in waitUntil, after the answer: wait for both before relying on them. */
export async function waitFilled(edge: Edge, path: string, key: string): Promise<void> {
  await waitFor(
    async () => (await edge.cached(path)) && (await (await edge.bucket()).head(key)) !== null,
    `the edge filling its cache and R2 for ${path}`,
  );
}

/**
 * Replaces R2's copy of a clip with bytes that fail its check (no metadata of ours), so the next request asks
 * the origin without saying the mirror missed: the origin then checks its store, and answers its S3 copy (#15).
 * A copy merely deleted would let the origin cut the clip again instead.
 */
export async function spoilR2(edge: Edge, key: string): Promise<void> {
  await (await edge.bucket()).put(key, "not this clip");
}
