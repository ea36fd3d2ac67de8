import { afterAll, afterEach } from "vitest";
import { disposeWorkerBundle, type Edge } from "./edge.js";
import type { ScriptedOrigin } from "./stub-origin.js";

/** The Worker and scripted origin a test started; both are stopped after it. */
export interface ScriptedEdge {
  edge: Edge | undefined;
  origin: ScriptedOrigin | undefined;
}

/**
 * For files whose every test starts its own Worker and scripted origin (each with other settings): stops
 * both after each test, and removes the Worker bundle after the file.
 */
export function scriptedEdgePerTest(): ScriptedEdge {
  const live: ScriptedEdge = { edge: undefined, origin: undefined };
  afterAll(() => disposeWorkerBundle());
  afterEach(async () => {
    await live.edge?.close();
    await live.origin?.close();
    live.edge = undefined;
    live.origin = undefined;
  });
  return live;
}
