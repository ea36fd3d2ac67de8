import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIP_PATH_PREFIX,
  EPISODE_PATH_PREFIX,
  OEMBED_PATH,
  SHARE_PATH_PREFIX,
  parseEpisodePath,
  ClipError,
  ERROR_STATUS,
  canonicalPath,
  isClipErrorBody,
  parseClipUrl,
  signClipUrl,
  verifyOriginRequest,
  type ClipRequest,
  type UrlSigningKey,
} from "../../core/index.js";
import { fuzzTally } from "../shared/fuzz-tally.js";
import { EDGE_SIZES, FUZZ_SEED, adversarialNumber, clipPathAndQuery } from "../core/helpers/fuzz-inputs.js";
import { EDGE, disposeWorkerBundle, startEdge, type Edge } from "./helpers/edge.js";
import { clipAnswer, startStubOrigin, stubBytes, type StubAnswer, type StubOrigin } from "./helpers/stub-origin.js";

// Issue #6: random and adversarial paths, queries and headers (Range, If-None-Match, Origin, Accept, methods)
// to the real Worker bundle in workerd. Behind it, a stub origin that checks the Worker's signature and
// canonical request, and answers a clip for episode ids that start with a digit and a typed 404 for the
// rest, so the Range and If-None-Match paths are fuzzed on real bytes and nothing may be a 5xx.

const BATCH = 50;
/** 10,500 requests, so that at least 10,000 reach the Worker (workerd itself refuses unknown methods). */
const BATCHES = 210;
const SIGNED_BATCHES = 40;
const SECRET = "fuzz-edge-origin-secret-0123456789";
const CLIP_BYTES = stubBytes(3000);
/** The Worker's ETag: the first 32 hex digits of the SHA-256 of the bytes (worker/clip.ts). */
const ETAG = `"${createHash("sha256").update(CLIP_BYTES).digest("hex").slice(0, 32)}"`;

interface FuzzOrigin extends StubOrigin {
  /** Anything the Worker sent that a real origin would refuse: must stay empty. */
  violations: string[];
}

const wantsClip = (req: ClipRequest) => /^[0-9]/.test(req.episodeId);

/** The origin's contract, without S3 or MongoDB: the Worker's signature and canonical form are checked. */
async function startFuzzOrigin(): Promise<FuzzOrigin> {
  const violations: string[] = [];
  const stub = await startStubOrigin({
    bytes: CLIP_BYTES,
    answer: (req, origin) =>
      judge(req, origin, violations).catch((err: unknown) => {
        violations.push(`stub failed: ${String(err)}`);
        return { status: 500, body: { error: { code: "internal", message: "stub failed" } } };
      }),
  });
  return Object.assign(stub, { violations });
}

/** What a real origin would answer, and every way the request differs from what the Worker must send. */
async function judge(req: IncomingMessage, origin: StubOrigin, violations: string[]): Promise<StubAnswer> {
  const error = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });
  const url = new URL(req.url ?? "/", "http://stub.invalid");
  // An episode's facts or peaks (#17), asked for by share pages and /api/v1/episodes: signed over their own path.
  if (url.pathname.startsWith(EPISODE_PATH_PREFIX)) return episodeAnswer(req, url, violations);
  let clip: ClipRequest;
  try {
    clip = parseClipUrl(url);
  } catch (err) {
    violations.push(`unparseable request ${req.url}: ${String(err)}`);
    return error(400, "invalid_parameter", "stub: not a clip request");
  }
  if (canonicalPath(clip) !== url.pathname + url.search) violations.push(`not canonical: ${req.url}`);
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const auth = await verifyOriginRequest({ method: req.method ?? "", canonicalPath: canonicalPath(clip) }, header, [
    SECRET,
  ]);
  if (!auth.ok) {
    violations.push(`signature ${auth.reason}: ${req.url}`);
    return error(403, "forbidden", `stub: ${auth.reason}`);
  }
  if (!wantsClip(clip)) return error(404, "episode_not_found", `Episode ${clip.episodeId} not found`);
  return clipAnswer(origin, clip);
}

async function episodeAnswer(req: IncomingMessage, url: URL, violations: string[]): Promise<StubAnswer> {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const episode = parseEpisodePath(url.pathname);
  if (episode.canonicalPath !== url.pathname + url.search) violations.push(`not canonical: ${req.url}`);
  const auth = await verifyOriginRequest({ method: req.method ?? "", canonicalPath: episode.canonicalPath }, header, [
    SECRET,
  ]);
  if (!auth.ok) violations.push(`signature ${auth.reason}: ${req.url}`);
  return { status: 404, body: { error: { code: "episode_not_found", message: "stub: no episodes here" } } };
}

/** The people-facing routes (#17): their own model, not the clip parser's; here only the shared invariants. */
const isPeopleRoute = (pathname: string) =>
  pathname.startsWith(EPISODE_PATH_PREFIX) || pathname.startsWith(SHARE_PATH_PREFIX) || pathname === OEMBED_PATH;

let open: Edge;
let locked: Edge;
let origin: FuzzOrigin;
const run = fuzzTally();
const { counts: tally, count } = run;

beforeAll(async () => {
  origin = await startFuzzOrigin();
  const common = { originUrl: origin.url, originSecret: SECRET, generateLimit: 1_000_000 };
  [open, locked] = await Promise.all([
    startEdge(common),
    startEdge({
      ...common,
      vars: {
        URL_SIGNING_KEYS: `${SIGNING_KEY.id}:${SIGNING_KEY.secret}`,
        ALLOWED_ORIGINS: ALLOWED_ORIGINS.join(","),
      },
    }),
  ]);
  run.start();
});

afterAll(async () => {
  const seconds = run.seconds();
  console.log(
    `fuzz-edge: ${tally["requests sent"] ?? 0} requests in ${seconds} s (seed ${FUZZ_SEED}), ${origin?.calls ?? 0} reached the origin; ${JSON.stringify(tally)}`,
  );
  await Promise.all([open?.close(), locked?.close()]);
  await origin?.close();
  await disposeWorkerBundle();
});

/** Header values HTTP can carry (RFC 9110 field-value: tab, visible ASCII, space, obs-text 0x80-0xFF). */
const headerText = (maxLength: number) =>
  fc
    .string({ unit: "binary-ascii", maxLength })
    .map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ""))
    .map((s) => s.trim());

const rangeArb = fc.oneof(
  fc.constantFrom(
    "bytes=0-0",
    "bytes=0-",
    "bytes=-1",
    "bytes=-0",
    "bytes=2999-",
    "bytes=3000-",
    "bytes=2999-2999",
    "bytes=5-2",
    "bytes=-",
    "bytes=",
    "bytes=0-1,5-6",
    "items=0-1",
    "bytes=a-b",
    "bytes=1e3-",
    "bytes= 0-1",
    "BYTES=0-1",
    " bytes=1-2 ",
    "bytes=99999999999999999999-",
    "bytes=-99999999999999999999",
    "bytes=0-99999999999999999999",
    `bytes=${"9".repeat(400)}-`,
    "bytes=-0x10",
  ),
  fc
    .tuple(fc.option(fc.nat({ max: 4000 })), fc.option(fc.nat({ max: 4000 })))
    .map(([a, b]) => `bytes=${a ?? ""}-${b ?? ""}`),
  headerText(30),
);

const ifNoneMatchArb = fc.oneof(
  fc.constantFrom(ETAG, `W/${ETAG}`, "*", ` ${ETAG} `, `"other", ${ETAG}`, `"other"`, ETAG.slice(1, -1), '""', ","),
  headerText(40),
);

const originArb = fc.oneof(
  fc.constantFrom("https://player.example", "null", "http://localhost:8787", "https://evil.example", ""),
  fc.webUrl(),
  headerText(40),
);

/** Methods workerd's HTTP server accepts (others it refuses itself with a 501 before the Worker runs). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "PROPFIND",
]);

/** HTTP methods a client can put on the wire (CONNECT, TRACE and TRACK never reach a Worker). */
const methodArb = fc
  .oneof(
    { weight: 36, arbitrary: fc.constantFrom("GET", "HEAD") },
    { weight: 5, arbitrary: fc.constantFrom("OPTIONS", "POST", "PUT", "DELETE", "PATCH", "get", "PROPFIND") },
    { weight: 1, arbitrary: fc.constantFrom("patch", "Get", "QUERY") },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,10}$/) },
  )
  .filter((m) => !["CONNECT", "TRACE", "TRACK"].includes(m.toUpperCase()));

type SignatureKind = "none" | "valid" | "expired" | "unknown-kid" | "other-secret" | "other-clip" | "bad-exp" | "twice";

interface EdgeSpec {
  method: string;
  pathAndQuery: string;
  headers: [string, string][];
  /** Used by the edge with URL signing on: which kid/exp/sig parameters to append. */
  signature: SignatureKind;
  badExp: string;
}

const specArb: fc.Arbitrary<EdgeSpec> = fc
  .record({
    method: methodArb,
    pathAndQuery: clipPathAndQuery(EDGE_SIZES),
    range: fc.option(rangeArb, { freq: 3 }),
    ifNoneMatch: fc.option(ifNoneMatchArb, { freq: 4 }),
    origin: fc.option(originArb, { freq: 3 }),
    accept: fc.option(fc.constantFrom("application/json", "audio/mpeg", "application/json, audio/*", "*/*", ""), {
      freq: 4,
    }),
    ip: fc.option(fc.ipV4(), { freq: 2 }),
    others: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), headerText(60)), { maxLength: 3 }),
    signature: fc.oneof(
      { weight: 6, arbitrary: fc.constant<SignatureKind>("valid") },
      { weight: 2, arbitrary: fc.constant<SignatureKind>("none") },
      {
        weight: 3,
        arbitrary: fc.constantFrom<SignatureKind>(
          "expired",
          "unknown-kid",
          "other-secret",
          "other-clip",
          "bad-exp",
          "twice",
        ),
      },
    ),
    badExp: fc.oneof(fc.constantFrom("", "-1", "1e12", "0x10", "9999999999999", " 1"), adversarialNumber(EDGE_SIZES)),
  })
  .map(({ method, pathAndQuery, range, ifNoneMatch, origin, accept, ip, others, signature, badExp }) => {
    const headers: [string, string][] = others.filter(([name]) => !name.startsWith("cf-"));
    if (range !== null) headers.push(["range", range]);
    if (ifNoneMatch !== null) headers.push(["if-none-match", ifNoneMatch]);
    if (origin !== null) headers.push(["origin", origin]);
    if (accept !== null) headers.push(["accept", accept]);
    headers.push(["cf-connecting-ip", ip ?? "198.51.100.1"]);
    return { method, pathAndQuery, headers, signature, badExp };
  });

/** What the core parser says about the URL workerd will see: the edge must agree with it. */
function coreVerdict(url: URL): { ok: true; clip: ClipRequest } | { ok: false; err: ClipError } {
  try {
    return { ok: true, clip: parseClipUrl(url) };
  } catch (err) {
    if (err instanceof ClipError) return { ok: false, err };
    throw err;
  }
}

const SIGNING_KEY: UrlSigningKey = { id: "k1", secret: "fuzz-url-signing-secret-0123456789" };
const ALLOWED_ORIGINS = ["https://player.example", "http://localhost:8787"];

/** The kid/exp/sig parameters for a spec's signature kind, as the embedding application would append them. */
async function signatureParams(spec: EdgeSpec, clip: ClipRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const sign = async (key: UrlSigningKey, expiresAtS: number, req: ClipRequest = clip) => {
    const signed = new URL(await signClipUrl(EDGE, req, key, expiresAtS)).searchParams;
    return { kid: signed.get("kid") ?? "", exp: signed.get("exp") ?? "", sig: signed.get("sig") ?? "" };
  };
  let p: { kid: string; exp: string; sig: string };
  switch (spec.signature) {
    case "none":
      return "";
    case "valid":
    case "twice":
    case "bad-exp":
      p = await sign(SIGNING_KEY, now + 3600);
      break;
    case "expired":
      p = await sign(SIGNING_KEY, now - 60);
      break;
    case "unknown-kid":
      p = await sign({ id: "k2", secret: SIGNING_KEY.secret }, now + 3600);
      break;
    case "other-secret":
      p = await sign({ id: SIGNING_KEY.id, secret: `${SIGNING_KEY.secret}-old` }, now + 3600);
      break;
    case "other-clip":
      p = await sign(SIGNING_KEY, now + 3600, { ...clip, startMs: clip.startMs + 1, endMs: clip.endMs + 1 });
      break;
  }
  if (spec.signature === "bad-exp") p.exp = spec.badExp;
  const query = `kid=${encodeURIComponent(p.kid)}&exp=${encodeURIComponent(p.exp)}&sig=${encodeURIComponent(p.sig)}`;
  return spec.signature === "twice" ? `${query}&sig=${encodeURIComponent(p.sig)}` : query;
}

/** Appends parameters to the query (before any fragment), keeping the rest of the adversarial spelling. */
function appendQuery(pathAndQuery: string, extra: string): string {
  if (extra === "") return pathAndQuery;
  const hash = pathAndQuery.indexOf("#");
  const [head, fragment] = hash < 0 ? [pathAndQuery, ""] : [pathAndQuery.slice(0, hash), pathAndQuery.slice(hash)];
  return `${head}${head.includes("?") ? "&" : "?"}${extra}${fragment}`;
}

interface Target {
  edge: Edge;
  /** URL_SIGNING_KEYS and ALLOWED_ORIGINS are set. */
  locked: boolean;
  name: string;
}

async function check(target: Target, spec: EdgeSpec): Promise<void> {
  let pathAndQuery = spec.pathAndQuery;
  let verdict = coreVerdict(new URL(EDGE + pathAndQuery));
  // Whether the request carries exactly one well-formed signature for this clip.
  let validlySigned = false;
  if (target.locked && verdict.ok) {
    const hadSignatureParams = ["kid", "exp", "sig"].some((n) => new URL(EDGE + pathAndQuery).searchParams.has(n));
    pathAndQuery = appendQuery(pathAndQuery, await signatureParams(spec, verdict.clip));
    validlySigned = spec.signature === "valid" && !hadSignatureParams;
    verdict = coreVerdict(new URL(EDGE + pathAndQuery));
  }
  const url = new URL(EDGE + pathAndQuery);
  const method = spec.method.toUpperCase();
  const res = await target.edge.mf.dispatchFetch(url.toString(), { method: spec.method, headers: spec.headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  const context = `[${target.name}] ${spec.method} ${pathAndQuery.slice(0, 400)} ${JSON.stringify(spec.headers).slice(0, 300)} → ${res.status} ${bytes.toString("utf8", 0, 300)}`;
  count("requests sent");
  if (
    res.status === 501 &&
    !KNOWN_METHODS.has(spec.method) &&
    bytes.toString("utf8").trim() === "ERROR: Unrecognized request method." &&
    !res.headers.has("access-control-allow-origin") &&
    !res.headers.has("vary")
  ) {
    // workerd's HTTP layer refuses a method it does not know before any Worker code runs: not the edge's answer.
    count("refused by workerd before the Worker (unknown method)");
    return;
  }
  count(`${target.name} answers`);
  count(`status ${res.status}`);
  if (res.status >= 500) throw new Error(`5xx from the edge: ${context}`);
  // CORS on every answer: "*" when open; with an allow-list only an allowed Origin, and Vary: Origin.
  const requestOrigin = spec.headers.find(([name]) => name === "origin")?.[1];
  if (!target.locked) expect(res.headers.get("access-control-allow-origin"), context).toBe("*");
  else {
    const allowed = requestOrigin !== undefined && ALLOWED_ORIGINS.includes(requestOrigin);
    expect(res.headers.get("access-control-allow-origin"), context).toBe(allowed ? requestOrigin : null);
    expect(res.headers.get("vary") ?? "", context).toMatch(/\bOrigin\b/);
  }

  const isClipRoute = url.pathname.startsWith(CLIP_PATH_PREFIX);
  if (res.status >= 400) {
    expect(res.headers.get("cache-control"), context).toBe("no-store");
    if (method !== "HEAD") {
      const body: unknown = JSON.parse(bytes.toString("utf8"));
      expect(isClipErrorBody(body), context).toBe(true);
      const { error } = body as { error: { code: keyof typeof ERROR_STATUS; param?: string } };
      expect(ERROR_STATUS[error.code], context).toBe(res.status);
      count(`code ${error.code}`);
      if (res.status === 400 && !verdict.ok && !isPeopleRoute(url.pathname)) {
        expect(error.param, context).toBe(verdict.err.param);
      }
    }
  }

  if (isPeopleRoute(url.pathname)) {
    count(`people route ${method} → ${res.status}`);
    expect([200, 204, 304, 400, 403, 404, 405, 416], context).toContain(res.status);
    return;
  }
  if (/^\/+$/.test(url.pathname) || /^\/healthz\/*$/.test(url.pathname)) {
    // The player page and the health check (itty-router allows repeated and trailing slashes), not clip routes.
    count(`non-clip page ${method} → ${res.status}`);
    expect(method === "GET" ? [200] : [404], context).toContain(res.status);
    return;
  }
  if (method === "GET" || method === "HEAD") {
    if (!verdict.ok) {
      // The router answers 404 for paths that are not one segment under the prefix; otherwise the parser's 400.
      expect([verdict.err.status, 404], context).toContain(res.status);
      return;
    }
    if (target.locked && !validlySigned) {
      count(`signature ${spec.signature} → ${res.status}`);
      expect(res.status, context).toBe(403);
      return;
    }
    if (!wantsClip(verdict.clip)) {
      expect(res.status, context).toBe(404); // the stub origin's episode_not_found
      return;
    }
    expect([200, 206, 304, 416], context).toContain(res.status);
    checkClipAnswer(res, bytes, method, context);
    return;
  }
  if (method === "OPTIONS") {
    expect([204, 404], context).toContain(res.status);
    if (verdict.ok) expect(res.status, context).toBe(204);
    return;
  }
  expect([405, 404], context).toContain(res.status);
  if (verdict.ok || isClipRoute) count(`other method on the clip route → ${res.status}`);
  if (verdict.ok) expect(res.status, context).toBe(405);
}

/** Miniflare's Response is undici's, not the DOM type: only what the checks read. */
interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

/** A clip answer carries exactly the stub's bytes, or the asked-for slice of them. */
function checkClipAnswer(res: ResponseLike, bytes: Buffer, method: string, context: string): void {
  const size = CLIP_BYTES.length;
  const type = res.headers.get("content-type") ?? "";
  if (res.status === 304) {
    expect(bytes.length, context).toBe(0);
    return;
  }
  if (res.status === 416) {
    expect(res.headers.get("content-range"), context).toBe(`bytes */${size}`);
    return;
  }
  if (type.startsWith("application/json")) {
    expect(res.status, context).toBe(200);
    if (method === "GET") expect(JSON.parse(bytes.toString("utf8")), context).toMatchObject({ file_size_bytes: size });
    return;
  }
  expect(type, context).toBe("audio/mpeg");
  expect(res.headers.get("etag"), context).toBe(ETAG);
  const expected =
    res.status === 200
      ? CLIP_BYTES
      : (() => {
          const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
          expect(match, context).not.toBeNull();
          const [, first = "", last = "", total = ""] = match ?? [];
          expect(Number(total), context).toBe(size);
          expect(Number(first) <= Number(last) && Number(last) < size, context).toBe(true);
          return CLIP_BYTES.subarray(Number(first), Number(last) + 1);
        })();
  expect(Number(res.headers.get("content-length")), context).toBe(expected.length);
  if (method === "GET") expect(bytes.equals(expected), context).toBe(true);
  else expect(bytes.length, context).toBe(0);
}

/** Batches of BATCH requests in parallel: workerd answers one at a time too slowly for 10,000 in ~30 s. */
async function fuzz(target: Target, batches: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(specArb, { minLength: BATCH, maxLength: BATCH }), async (specs) => {
      await Promise.all(specs.map((spec) => check(target, spec)));
    }),
    // A failing batch is shrunk request by request; FUZZ_NO_SHRINK=1 reports the first failure at once.
    { numRuns: batches, seed: FUZZ_SEED, endOnFailure: process.env.FUZZ_NO_SHRINK === "1" },
  );
}

// Long property runs get minutes: a busy machine stretches them, and they assert outcomes, not time.
describe("fuzz: the edge in workerd (Miniflare), a stub origin behind it", { timeout: 600_000 }, () => {
  it(`answers ${BATCH * BATCHES} adversarial requests without a 5xx, as the core parser predicts`, async () => {
    const callsBefore = origin.calls;
    await fuzz({ edge: open, locked: false, name: "open" }, BATCHES);
    expect(tally["open answers"]).toBeGreaterThanOrEqual(10_000);
    expect(origin.violations).toEqual([]);
    // The generator must reach each outcome, or the property says little.
    for (const status of [200, 206, 304, 400, 404, 405, 416])
      expect(tally[`status ${status}`] ?? 0).toBeGreaterThan(20);
    expect(origin.calls - callsBefore).toBeGreaterThan(100);
  });

  it(`answers ${BATCH * SIGNED_BATCHES} more with URL signing and an origin allow-list: typed 403s, never a 5xx`, async () => {
    const callsBefore = origin.calls;
    await fuzz({ edge: locked, locked: true, name: "signed" }, SIGNED_BATCHES);
    expect(origin.violations).toEqual([]);
    expect(tally["status 403"] ?? 0).toBeGreaterThan(100);
    expect(origin.calls - callsBefore).toBeGreaterThan(20);
  });
});
