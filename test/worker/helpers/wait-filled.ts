import { waitFor } from "../../shared/wait-for.js";
import type { Edge } from "./edge.js";

/** The edge fills its cache and R2 in waitUntil, after the answer: wait for both before relying on them. */
export async function waitFilled(edge: Edge, path: string, key: string): Promise<void> {
  await waitFor(
    async () => (await edge.cached(path)) && (await (await edge.bucket()).head(key)) !== null,
    `the edge filling its cache and R2 for ${path}`,
  );
}
