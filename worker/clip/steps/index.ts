import type { Step } from "../../../core/index.js";
import type { ClipDeps, EdgeClipContext } from "../context.js";
import { edgeCache } from "./edge-cache.js";
import { edgeMemory } from "./edge-memory.js";
import { fillEdgeCache, fillR2, handOffFills } from "./fill.js";
import { joinInFlight } from "./join-in-flight.js";
import { origin } from "./origin.js";
import { r2 } from "./r2.js";
import { rateLimit } from "./rate-limit.js";
import { respond } from "./respond.js";
import { verifySignature } from "./verify-signature.js";

/** A parsed clip request's way through the edge, in order; each lookup step runs only while nothing has the clip. */
export function edgeSteps(deps: ClipDeps): readonly Step<EdgeClipContext>[] {
  return [
    verifySignature(deps),
    edgeMemory(deps),
    edgeCache(deps),
    r2(deps),
    joinInFlight(deps),
    rateLimit(deps),
    origin(deps),
    fillEdgeCache(deps),
    fillR2(deps),
    handOffFills(deps),
    respond(deps),
  ];
}
