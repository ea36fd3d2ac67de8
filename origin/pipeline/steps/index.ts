import type { Step } from "../../../core/index.js";
import type { ClipContext, RequestContext, StepDeps } from "../context.js";
import { authenticate } from "./authenticate.js";
import { checkStore } from "./check-store.js";
import { countRequest } from "./count-request.js";
import { cut, speculateCut } from "./cut.js";
import { label } from "./label.js";
import { lookupEpisode, prefetchEpisode } from "./lookup-episode.js";
import { method } from "./method.js";
import { prefetchIndex } from "./prefetch-index.js";
import { inlineBytes, presign } from "./presign.js";
import { record } from "./record.js";
import { requireSignature } from "./require-signature.js";
import { upload } from "./upload.js";

/** Before the request is parsed: what any caller may learn. */
export const gateSteps: readonly Step<RequestContext>[] = [method, requireSignature];

/** A parsed clip request, in order. A hit skips the steps that make a clip (their `when` is isMiss). */
export function clipSteps(deps: StepDeps): readonly Step<ClipContext>[] {
  return [
    authenticate(deps),
    prefetchIndex(deps),
    prefetchEpisode(deps),
    speculateCut(deps),
    checkStore(deps),
    lookupEpisode(deps),
    cut(deps),
    label(deps),
    upload(deps),
    record(deps),
    countRequest(deps),
    inlineBytes,
    presign(deps),
  ];
}
