import { createServer, type IncomingMessage } from "node:http";
import { createHash } from "node:crypto";
import { CLIP_FACTS_HEADER, MIRROR_HEADER, type ClipJsonResponse } from "../../../core/index.js";
import { listenOnLoopback } from "../../shared/loopback-server.js";

/**
 * What a stub answers a clip request with: a status and a JSON body, raw bytes with their headers (the
 * origin's bytes answer, #15), or no answer at all.
 */
export type StubAnswer =
  { status: number; body: unknown } | { status: number; raw: Buffer; headers: Record<string, string> } | "hang";

export interface StubOrigin {
  url: string;
  /** Clip requests the Worker made (not the byte downloads). */
  calls: number;
  /** What each of those said of the Worker's R2 mirror (MIRROR_HEADER), in order; undefined when nothing. */
  mirror: (string | undefined)[];
  /** What its "pre-signed" URL serves. */
  bytes: Buffer;
  /** Downloads from that URL. */
  downloads: number;
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
  const state: StubOrigin = { url: "", calls: 0, mirror: [], bytes: opts.bytes, downloads: 0, close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/bytes")) {
      state.downloads++;
      res.writeHead(200, { "content-type": "audio/mpeg" }).end(state.bytes);
      return;
    }
    state.calls++;
    state.mirror.push(req.headers[MIRROR_HEADER] as string | undefined);
    void Promise.resolve(opts.answer(req, state)).then((answer) => {
      if (answer === "hang") return;
      if ("raw" in answer) return void res.writeHead(answer.status, answer.headers).end(answer.raw);
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

/**
 * The origin's bytes answer (#15) for a clip of the stub's bytes, with their SHA-256 as the origin sends it;
 * `fault`: fewer bytes than its facts name, or bytes other than those its SHA-256 is of (damaged on the way).
 */
export function bytesAnswer(
  origin: StubOrigin,
  clip: { startMs: number; endMs: number },
  fault?: "short" | "damaged",
): StubAnswer {
  const { clip_url: _url, ...body } = (clipAnswer(origin, clip, 12) as { body: ClipJsonResponse }).body;
  const facts = { ...body, sha256: createHash("sha256").update(origin.bytes).digest("hex") };
  const damaged = Buffer.from(origin.bytes);
  damaged[0] = (damaged[0] ?? 0) ^ 0xff;
  return {
    status: 200,
    raw:
      fault === "short"
        ? origin.bytes.subarray(0, origin.bytes.length - 1)
        : fault === "damaged"
          ? damaged
          : origin.bytes,
    headers: { "content-type": "audio/mpeg", [CLIP_FACTS_HEADER]: JSON.stringify(facts) },
  };
}

export interface ScriptedOrigin extends StubOrigin {
  /** What the next calls do: JSON with a URL (ok), the bytes in the answer (bytes, #15), a bytes answer
   * shorter than its facts say (short-bytes) or not the bytes its SHA-256 is of (damaged-bytes), a 500, or no answer. */
  mode: "ok" | "bytes" | "short-bytes" | "damaged-bytes" | "slow" | "error";
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
      if (scripted.mode === "bytes") return bytesAnswer(origin, { startMs: 0, endMs: 1000 });
      if (scripted.mode === "short-bytes") return bytesAnswer(origin, { startMs: 0, endMs: 1000 }, "short");
      if (scripted.mode === "damaged-bytes") return bytesAnswer(origin, { startMs: 0, endMs: 1000 }, "damaged");
      return clipAnswer(origin, { startMs: 0, endMs: 1000 }, 12);
    },
  });
  // The same object as the stub's state: its call count stays live, and a test's change of mode is read above.
  const scripted: ScriptedOrigin = Object.assign(stub, { mode: "ok" as ScriptedOrigin["mode"] });
  return scripted;
}
