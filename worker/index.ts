import { Router, type IRequest } from "itty-router";
import {
  CLIP_PATH_PREFIX,
  CLIP_ROUTE,
  ClipError,
  EPISODE_ROUTE,
  OEMBED_PATH,
  SHARE_ROUTE,
  WAVEFORM_ROUTE,
} from "../core/index.js";
import { handleOembed } from "./pages/oembed.js";
import { handleShare } from "./pages/handle-share.js";
import { episodeFetcher, type EpisodeFetcher } from "./episodes/episode-origin.js";
import { handleEpisode } from "./episodes/handle-episode.js";
import { handleClip } from "./clip/handle-clip.js";
import type { GenerationLimit } from "./clip/context.js";
import { workerConfig, WorkerConfigError, type Env } from "./config/env.js";
import { LAYER_HEADER, applyCors, errorResponse, json, preflight } from "./http/http.js";
import type { OriginFetcher } from "./clip/clip.js";
import { inFlight, type InFlight } from "./origin/in-flight.js";
import { originFetcher } from "./origin/origin-client.js";
import { HotClips } from "./storage/hot-clips.js";
import { playerPage } from "./pages/player-page.js";
import { studioPage } from "./pages/studio/studio-page.js";

type Args = [Env, ExecutionContext];
/** What the `before` stage stamps on every request, for Server-Timing and the access log. */
type EdgeRequest = IRequest & { requestId: string; startedAt: number };

const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

// One origin client and in-flight registry per configuration (i.e. per isolate), so concurrent misses share
// in-flight origin calls.
// A clip hit this often from the edge cache (within the memory's TTL) is worth a copy in the isolate: a single
// listener's player makes one or two requests of a clip, so it takes a second listener to earn one.
const HOT_AFTER_CACHE_HITS = 3;
const parts = new WeakMap<object, { origin: OriginFetcher; inFlight: InFlight; hot?: HotClips }>();
const episodeFetchers = new WeakMap<object, EpisodeFetcher>();

function generationLimits(env: Env): GenerationLimit[] {
  const limits: GenerationLimit[] = [];
  if (env.GENERATE_BURST) limits.push({ limiter: env.GENERATE_BURST, periodS: 10 });
  if (env.GENERATE_SUSTAINED) limits.push({ limiter: env.GENERATE_SUSTAINED, periodS: 60 });
  return limits;
}

function config(env: Env) {
  try {
    return workerConfig(env);
  } catch (err) {
    if (err instanceof WorkerConfigError) throw new ClipError("service_unavailable", err.message, { retryAfterS: 60 });
    throw err;
  }
}

const clip = (request: EdgeRequest, env: Env, ctx: ExecutionContext) => {
  const cfg = config(env);
  let shared = parts.get(cfg);
  if (!shared) {
    const hot = cfg.memory ? new HotClips({ ...cfg.memory, admitAfterHits: HOT_AFTER_CACHE_HITS }) : undefined;
    parts.set(cfg, (shared = { origin: originFetcher(cfg), inFlight: inFlight(), ...(hot ? { hot } : {}) }));
  }
  return handleClip(
    request as unknown as Request,
    {
      config: cfg,
      cache: caches.default,
      bucket: env.CLIPS,
      ...shared,
      limits: generationLimits(env),
      waitUntil: (p) => ctx.waitUntil(p),
      log,
    },
    { requestId: request.requestId, startedAt: request.startedAt },
  );
};

/** What the people-facing handlers (episode facts and peaks, share pages, oEmbed) are given. */
function peopleDeps(env: Env, ctx: ExecutionContext) {
  const cfg = config(env);
  let fetchEpisode = episodeFetchers.get(cfg);
  if (!fetchEpisode) episodeFetchers.set(cfg, (fetchEpisode = episodeFetcher(cfg)));
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  return { config: cfg, cache: caches.default, limits: generationLimits(env), waitUntil, log, fetchEpisode };
}

type PeopleHandler = (
  request: Request,
  deps: ReturnType<typeof peopleDeps>,
  stamp: { requestId: string; startedAt: number },
) => Promise<Response>;

const people = (handler: PeopleHandler) => (request: EdgeRequest, env: Env, ctx: ExecutionContext) =>
  handler(request as unknown as Request, peopleDeps(env, ctx), {
    requestId: request.requestId,
    startedAt: request.startedAt,
  });
const episode = people(handleEpisode);

function stamp(request: EdgeRequest): void {
  request.startedAt = Date.now();
  request.requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
}

/**
 * The access log line is written once the answer has left: in workerd a console line is a synchronous write to
 * the runtime's stdout, about a third of what the Worker added to an 8 KB edge-cache hit over a bare cache
 * match (#15). Its fields (status, layer, ms) are read before, so the line says what was answered, and when;
 * the rest of the line is put together after the answer.
 */
function logAfterAnswer(ctx: ExecutionContext, entry: () => Record<string, unknown>): void {
  ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => log(entry())));
}

/** CORS on every answer (errors included, or browsers hide them), and one access log line per request. */
function finish(response: Response | undefined, request: EdgeRequest, env: Env, ctx: ExecutionContext): Response {
  let out = response ?? errorResponse(new Error("no response"), request.requestId, log);
  let allowed: readonly string[] | undefined;
  try {
    allowed = workerConfig(env).allowedOrigins;
  } catch {
    allowed = undefined; // the misconfiguration is already the response; don't hide it from the browser
  }
  try {
    // The handlers' own responses take the headers as they are: re-wrapping one turns a body held in memory
    // into a stream the runtime copies chunk by chunk (~0.4 ms for a 30 s clip from memory, #15).
    applyCors(out.headers, request as unknown as Request, allowed);
  } catch {
    // A response straight from fetch or the cache has immutable headers (the first write throws).
    out = new Response(out.body, out);
    applyCors(out.headers, request as unknown as Request, allowed);
  }
  // Read now; the URL is parsed for the line only after the answer has left.
  const { status } = out;
  const layer = out.headers.get(LAYER_HEADER) ?? undefined;
  const ms = Date.now() - request.startedAt;
  logAfterAnswer(ctx, () => ({
    level: "info",
    msg: "request",
    requestId: request.requestId,
    method: request.method,
    path: new URL(request.url).pathname,
    status,
    layer,
    ms,
  }));
  return out;
}

// itty-router v5 stages: before (stamp) → route → catch (the one place errors become responses) → finally.
// The catch stage has the stamped request: its id goes in a 5xx body and on the log line with the detail.
const notAllowed = () => {
  throw new ClipError("method_not_allowed", "Use GET, HEAD or OPTIONS");
};

const router = Router<EdgeRequest, Args>({
  before: [stamp],
  catch: (err: unknown, request: EdgeRequest) => errorResponse(err, request.requestId, log),
  finally: [finish],
});

router
  .get("/", () => studioPage())
  .get("/player", () => playerPage())
  .get("/healthz", () => json({ ok: true }, 200, { "cache-control": "no-store" }))
  .options(CLIP_ROUTE, (request, env) => preflight(request as unknown as Request, config(env).allowedOrigins))
  .get(CLIP_ROUTE, clip)
  .head(CLIP_ROUTE, clip)
  .options(EPISODE_ROUTE, (request, env) => preflight(request as unknown as Request, config(env).allowedOrigins))
  .options(WAVEFORM_ROUTE, (request, env) => preflight(request as unknown as Request, config(env).allowedOrigins))
  .get(WAVEFORM_ROUTE, episode)
  .head(WAVEFORM_ROUTE, episode)
  .get(EPISODE_ROUTE, episode)
  .head(EPISODE_ROUTE, episode)
  .get(SHARE_ROUTE, people(handleShare))
  .head(SHARE_ROUTE, people(handleShare))
  .get(OEMBED_PATH, people(handleOembed))
  .all(WAVEFORM_ROUTE, notAllowed)
  .all(EPISODE_ROUTE, notAllowed)
  .all(CLIP_ROUTE, () => {
    throw new ClipError("method_not_allowed", "Use GET, HEAD or OPTIONS");
  })
  .all("*", () => {
    throw new ClipError("not_found", `No such endpoint; clips live under ${CLIP_PATH_PREFIX}{episode_id}`);
  });

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
