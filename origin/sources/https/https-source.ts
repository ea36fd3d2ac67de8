import type { IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { ClipError } from "../../../core/index.js";
import type { ByteSource } from "../../../core/mp3/index.js";
import {
  HttpsSourceChangedError,
  requestError,
  sourceLabel,
  SourceTimeoutError,
  upstreamStatusError,
} from "./errors.js";
import { pinnedLookup, privateAddressError, refusedAddress } from "./lookup.js";
import { hostAllowed, type HttpsSourcePolicy } from "./policy.js";

export { HttpsSourceChangedError } from "./errors.js";
export type { HttpsSourcePolicy } from "./policy.js";

/** An `https://` audio location opened for ranged reads (the MP3 cutter's ByteSource). */
export interface HttpsSource extends ByteSource {
  readonly size: number;
  /** The server's ETag (weak ones included), to tell one version of the file from another. */
  readonly etag: string | undefined;
  /** The URL without its query string, for messages and logs. */
  readonly label: string;
  readRange(start: number, endExclusive: number): Promise<Uint8Array>;
  /** Closes the kept-alive connections now instead of when they idle out. */
  close(): void;
}

const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 10_000;

interface Session {
  policy: HttpsSourcePolicy;
  agent: https.Agent;
  timeoutMs: number;
}

/** The checks a URL must pass before any connection, for the catalog's URL and for each redirect target. */
function checkUrl(url: URL, policy: HttpsSourcePolicy, what: string): void {
  const label = sourceLabel(url);
  if (url.protocol !== "https:") {
    throw new ClipError("unprocessable_source", `${what} ${label} is not https://; only https sources are allowed`);
  }
  if (!hostAllowed(url.hostname, policy.allowedHosts)) {
    throw new ClipError(
      "unprocessable_source",
      policy.allowedHosts.length === 0
        ? `${what} ${label} is an https source, and none are allowed (SOURCE_HOST_ALLOWLIST is empty)`
        : `${what} ${label} is on host ${url.hostname}, which is not in SOURCE_HOST_ALLOWLIST`,
    );
  }
  // Sockets skip `lookup` for IP literals, so an allow-listed literal is checked here instead.
  const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(literal) !== 0) {
    const kind = refusedAddress(literal, policy);
    if (kind !== undefined) throw privateAddressError(url.hostname, literal, kind);
  }
}

function get(session: Session, url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      agent: session.agent,
      // Byte offsets only mean something in the file's own encoding.
      headers: { "accept-encoding": "identity", "user-agent": "edgeclip-origin", ...headers },
      ...(session.policy.signal ? { signal: session.policy.signal } : {}),
    });
    req.setTimeout(session.timeoutMs, () => req.destroy(new SourceTimeoutError(session.timeoutMs)));
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

/** GET with redirects followed by hand: each hop is checked like the first URL (https, allow-list, address). */
async function follow(
  session: Session,
  start: URL,
  headers: Record<string, string>,
): Promise<{ res: IncomingMessage; url: URL }> {
  let url = start;
  for (let hops = 0; ; hops++) {
    const res = await get(session, url, headers).catch((err: unknown) => {
      throw requestError(err, sourceLabel(url));
    });
    const location = res.headers.location;
    if (res.statusCode === undefined || res.statusCode < 300 || res.statusCode >= 400 || location === undefined) {
      return { res, url };
    }
    // A redirect's body is never needed; destroying it also means a huge one is never read.
    res.destroy();
    if (hops >= MAX_REDIRECTS) {
      throw new ClipError("bad_gateway", `${sourceLabel(start)} redirected more than ${MAX_REDIRECTS} times`);
    }
    const next = new URL(location, url);
    checkUrl(next, session.policy, `${sourceLabel(url)} redirected to`);
    url = next;
  }
}

/** Where a 206 says its bytes sit: `bytes first-last/total` (total may be `*`). */
function contentRange(res: IncomingMessage): { first: number; last: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers["content-range"] ?? "");
  if (!m) return undefined;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

/** Reads exactly `length` bytes of body, never more: a server sending extra is cut off, not buffered. */
async function readBody(session: Session, res: IncomingMessage, length: number, label: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  res.setTimeout(session.timeoutMs, () => res.destroy(new SourceTimeoutError(session.timeoutMs)));
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (filled + chunk.length > length) {
        res.destroy();
        throw new ClipError("bad_gateway", `The source host sent more than the ${length} bytes asked for: ${label}`);
      }
      out.set(chunk, filled);
      filled += chunk.length;
    }
  } catch (err) {
    throw requestError(err, label);
  }
  if (filled !== length) {
    throw new ClipError("bad_gateway", `The source host sent ${filled} of ${length} bytes, then stopped: ${label}`, {});
  }
  return out;
}

function checkEncoding(res: IncomingMessage, label: string): void {
  const encoding = res.headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    res.destroy();
    throw new ClipError("bad_gateway", `The source host sent ${label} with Content-Encoding ${encoding}`);
  }
}

function rangeIgnored(res: IncomingMessage, label: string): ClipError {
  // Not one byte of the body is read: it could be the whole multi-gigabyte file.
  res.destroy();
  return new ClipError(
    "unprocessable_source",
    `The source host ignores byte ranges (HTTP 200 to a Range request) for ${label}; ` +
      `edgeclip reads only the frames a clip needs and will not download whole files`,
  );
}

/**
 * Opens an https audio location: checks it against the policy, follows up to 3 redirects (each checked
 * again), and learns the size and ETag from a 1-byte ranged GET, which also proves the host honours
 * Range before anything else is read. Hand-written on node:https rather than fetch: fetch follows
 * redirects without letting us check each hop, and its dispatcher cannot be given a checked `lookup`
 * without adding undici as a dependency; the code here is only redirects and ranges.
 */
export async function openHttpsSource(location: string, policy: HttpsSourcePolicy): Promise<HttpsSource> {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new ClipError("unprocessable_source", "The episode's audio location is not a valid URL");
  }
  checkUrl(url, policy, "The audio location");
  const ca = policy.testOnly?.ca;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 8,
    lookup: pinnedLookup(policy),
    ...(ca === undefined ? {} : { ca: typeof ca === "string" ? ca : [...ca] }),
  });
  const session: Session = { policy, agent, timeoutMs: policy.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  try {
    const label = sourceLabel(url);
    const { res, url: finalUrl } = await follow(session, url, { range: "bytes=0-0" });
    if (res.statusCode === 200) throw rangeIgnored(res, label);
    if (res.statusCode === 416 && /^bytes \*\/0$/.test(res.headers["content-range"] ?? "")) {
      res.destroy();
      throw new ClipError("unprocessable_source", `The source ${label} is empty`);
    }
    if (res.statusCode !== 206) {
      res.destroy();
      throw upstreamStatusError(res.statusCode ?? 0, label);
    }
    checkEncoding(res, label);
    const range = contentRange(res);
    if (range?.total === undefined || range.first !== 0 || range.last !== 0) {
      res.destroy();
      throw new ClipError("bad_gateway", `The source host did not say the size of ${label} (Content-Range)`);
    }
    if (range.total > policy.maxBytes) {
      res.destroy();
      throw new ClipError(
        "unprocessable_source",
        `The source ${label} is ${range.total} bytes, more than SOURCE_MAX_BYTES (${policy.maxBytes})`,
      );
    }
    await readBody(session, res, 1, label);
    const etag = res.headers.etag;
    return rangedSource(session, finalUrl, label, range.total, etag);
  } catch (err) {
    agent.destroy();
    throw err;
  }
}

function rangedSource(session: Session, url: URL, label: string, size: number, etag: string | undefined) {
  // If-Match needs a strong ETag (weak ones never match by the RFC); without one, the size check below is
  // what notices a replaced file.
  const ifMatch: Record<string, string> = etag !== undefined && !etag.startsWith("W/") ? { "if-match": etag } : {};
  const source: HttpsSource = {
    size,
    etag,
    label,
    async readRange(start, endExclusive) {
      const end = Math.min(endExclusive, size);
      if (end <= start) return new Uint8Array(0);
      const { res } = await follow(session, url, { range: `bytes=${start}-${end - 1}`, ...ifMatch });
      if (res.statusCode === 412) {
        res.destroy();
        throw new HttpsSourceChangedError(label);
      }
      if (res.statusCode === 200) throw rangeIgnored(res, label);
      if (res.statusCode !== 206) {
        res.destroy();
        throw upstreamStatusError(res.statusCode ?? 0, label);
      }
      checkEncoding(res, label);
      const range = contentRange(res);
      if (range?.total !== undefined && range.total !== size) {
        res.destroy();
        throw new HttpsSourceChangedError(label);
      }
      if (range === undefined || range.first !== start || range.last !== end - 1) {
        res.destroy();
        throw new ClipError(
          "bad_gateway",
          `The source host answered bytes ${res.headers["content-range"] ?? "(no Content-Range)"} ` +
            `for bytes=${start}-${end - 1} of ${label}`,
        );
      }
      return readBody(session, res, end - start, label);
    },
    close: () => session.agent.destroy(),
  };
  return source;
}
