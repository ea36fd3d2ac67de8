import { Router, type IRequest } from "itty-router";
import { ClipError } from "../core/index.js";
import { handleClip } from "./clip-handler.js";
import { workerConfig, WorkerConfigError, type Env } from "./env.js";
import { corsHeaders, errorResponse, json, preflight } from "./http.js";
import { originFetcher, sharedInFlight, type OriginFetcher } from "./origin-client.js";
import { playerPage } from "./player-page.js";

type Args = [Env, ExecutionContext];

const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

// One fetcher per configuration (i.e. per isolate), so concurrent misses share in-flight origin calls.
const fetchers = new WeakMap<object, OriginFetcher>();

function config(env: Env) {
  try {
    return workerConfig(env);
  } catch (err) {
    if (err instanceof WorkerConfigError) throw new ClipError("service_unavailable", err.message, { retryAfterS: 60 });
    throw err;
  }
}

const clip = (request: IRequest, env: Env, ctx: ExecutionContext) => {
  const cfg = config(env);
  let origin = fetchers.get(cfg);
  if (!origin) fetchers.set(cfg, (origin = sharedInFlight(originFetcher(cfg))));
  return handleClip(request, {
    config: cfg,
    cache: caches.default,
    bucket: env.CLIPS,
    origin,
    limiter: env.GENERATE_LIMITER,
    waitUntil: (p) => ctx.waitUntil(p),
    log,
  });
};

// itty-router v5 stages: route → catch (the one place errors become responses) → finally (CORS on all).
const router = Router<IRequest, Args>({
  catch: (err: unknown) => errorResponse(err),
  finally: [
    (response: Response, request: IRequest, env: Env) => {
      let allowed: readonly string[] | undefined;
      try {
        allowed = workerConfig(env).allowedOrigins;
      } catch {
        allowed = undefined;
      }
      const out = new Response(response.body, response);
      for (const [name, value] of Object.entries(corsHeaders(request as unknown as Request, allowed))) {
        out.headers.set(name, value);
      }
      return out;
    },
  ],
});

router
  .get("/", () => playerPage())
  .get("/healthz", () => json({ ok: true }, 200, { "cache-control": "no-store" }))
  .options("/api/v1/audio_clips/:episode_id", (request, env) =>
    preflight(request as unknown as Request, config(env).allowedOrigins),
  )
  .get("/api/v1/audio_clips/:episode_id", clip)
  .head("/api/v1/audio_clips/:episode_id", clip)
  .all("/api/v1/audio_clips/:episode_id", () => {
    throw new ClipError("method_not_allowed", "Use GET, HEAD or OPTIONS");
  })
  .all("*", () => {
    throw new ClipError("not_found", "No such endpoint; clips live under /api/v1/audio_clips/{episode_id}");
  });

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => router.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
