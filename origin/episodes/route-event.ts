import { EPISODE_PATH_PREFIX } from "../../core/index.js";
import type { SpawnFn } from "../cut/ffmpeg-cut.js";
import type { LambdaClock } from "../lambda/deadline.js";
import { normalizeEvent, type ApiGatewayEvent } from "../lambda/event.js";
import type { LambdaHttpResponse } from "../lambda/response.js";
import type { OriginParts } from "../origin.js";
import { waveformBuilder, type WaveformBuilder } from "../waveform/episode-waveform.js";
import { handleEpisodeRequest, type EpisodeEventDeps } from "./handle-episode-event.js";

type Handle = (event: ApiGatewayEvent, context: LambdaClock) => Promise<LambdaHttpResponse>;

/**
 * Episode paths (facts, waveform) go to their own small handler; everything else is the clip pipeline's,
 * including events that do not parse (it reports them).
 */
export function routeEvent(
  clips: Handle,
  deps: OriginParts & Pick<EpisodeEventDeps, "config" | "log" | "now"> & { spawn?: SpawnFn },
): Handle {
  let builder: WaveformBuilder | undefined;
  const episodeDeps: EpisodeEventDeps = {
    config: deps.config,
    log: deps.log,
    now: deps.now,
    originSecrets: deps.config.originSecrets,
    catalog: deps.catalog,
    waveform: () => (builder ??= waveformBuilder({ ...deps, ...(deps.spawn ? { spawn: deps.spawn } : {}) })),
  };
  return (event, context) => {
    let path: string;
    try {
      path = normalizeEvent(event).url.pathname;
    } catch {
      return clips(event, context);
    }
    if (!path.startsWith(EPISODE_PATH_PREFIX)) return clips(event, context);
    return handleEpisodeRequest(normalizeEvent(event), context, episodeDeps);
  };
}
