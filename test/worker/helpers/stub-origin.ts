import { createServer, type IncomingMessage } from "node:http";
import type { ClipJsonResponse } from "../../../core/index.js";
import { listenOnLoopback } from "../../shared/loopback-server.js";

/** What a stub answers a clip request with: a status and a JSON body, or no answer at all. */
export type StubAnswer = { status: number; body: unknown } | "hang";

export interface StubOrigin {
  url: string;
  /** Clip requests the Worker made (not the byte downloads). */
  calls: number;
  /** What its "pre-signed" URL serves. */
  bytes: Buffer;
  close(): Promise<void>;
}

export interface StubOptions {
  bytes: Buffer;
  /** How the stub answers each clip request (every request whose path is not /bytes…). */
  answer(req: IncomingMessage, origin: StubOrigin): StubAnswer | Promise<StubAnswer>;
  /** A given port, to bring a stopped stub back where the Worker expects it. */
  port?: number;
}

/**
 * A small HTTP server in the origin's place, for the Worker's tests: it answers clip requests as the test
 * scripts, and serves the clip's bytes at its own "pre-signed" URL (`${url}/bytes`).
 */
export async function startStubOrigin(opts: StubOptions): Promise<StubOrigin> {
  const state: StubOrigin = { url: "", calls: 0, bytes: opts.bytes, close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/bytes")) {
      res.writeHead(200, { "content-type": "audio/mpeg" }).end(state.bytes);
      return;
    }
    state.calls++;
    void Promise.resolve(opts.answer(req, state)).then((answer) => {
      if (answer === "hang") return;
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  const listening = await listenOnLoopback(server, opts.port);
  state.url = listening.url;
  state.close = listening.close;
  return state;
}

/** Bytes that stand for a clip: the Worker streams, caches and ranges them, it never decodes them. */
export function stubBytes(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) % 256));
}

/** The origin's 200 answer for a clip of the stub's bytes. */
export function clipAnswer(origin: StubOrigin, clip: { startMs: number; endMs: number }, generationMs = 1): StubAnswer {
  const body: ClipJsonResponse = {
    clip_url: `${origin.url}/bytes`,
    cache_hit: false,
    generation_time_ms: generationMs,
    clip_start_ms: clip.startMs,
    clip_end_ms: clip.endMs,
    file_size_bytes: origin.bytes.length,
    clamped_to_episode_end: false,
  };
  return { status: 200, body };
}

export interface ScriptedOrigin extends StubOrigin {
  /** What the next calls do. */
  mode: "ok" | "slow" | "error";
}

/**
 * A scripted origin for faults the real one cannot be made to produce on demand (a 500, a hang).
 * It answers the origin's JSON contract and serves the bytes at its own "pre-signed" URL.
 */
export async function startScriptedOrigin(port = 0): Promise<ScriptedOrigin> {
  const stub = await startStubOrigin({
    bytes: stubBytes(4000),
    port,
    answer(_req, origin) {
      if (scripted.mode === "error") return { status: 500, body: { error: { code: "internal", message: "boom" } } };
      // Never answers: the edge's timeout must fire.
      if (scripted.mode === "slow") return "hang";
      return clipAnswer(origin, { startMs: 0, endMs: 1000 }, 12);
    },
  });
  // The same object as the stub's state: its call count stays live, and a test's change of mode is read above.
  const scripted: ScriptedOrigin = Object.assign(stub, { mode: "ok" as ScriptedOrigin["mode"] });
  return scripted;
}
