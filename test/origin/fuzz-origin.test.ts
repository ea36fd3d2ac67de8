import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClipError,
  ERROR_STATUS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  canonicalPath,
  isClipErrorBody,
  parseClipUrl,
  signOriginRequest,
} from "../../core/index.js";
import type { ApiGatewayEvent } from "../../origin/lambda/event.js";
import { fuzzTally } from "../shared/fuzz-tally.js";
import { EDGE_SIZES, FUZZ_SEED, clipPath, clipQuery } from "../core/helpers/fuzz-inputs.js";
import { httpApiEvent, restApiEvent } from "./helpers/api-gateway-event.js";
import { LAMBDA, SECRET, startTestOrigin, type TestOrigin } from "./helpers/harness.js";

// Issue #6: API Gateway events with random and adversarial paths, queries, headers and methods, some
// signed like the Worker signs, some unsigned or badly signed, through a real origin (createOrigin, real
// local S3 and MongoDB). Every answer must be the typed JSON error a model of the origin's steps predicts
// (method → signature present → parse → signature valid → S3/MongoDB lookup), never a 5xx.

const RUNS = 10_000;
/** Requests that parse and carry a valid signature go on to S3 and MongoDB; at most this many do. */
const MAX_LOOKUPS = 700;

let t: TestOrigin;
const run = fuzzTally();
const { counts: tally, count } = run;

beforeAll(async () => {
  t = await startTestOrigin();
  run.start();
});

afterAll(async () => {
  const seconds = run.seconds();
  console.log(`fuzz-origin: ${tally.events ?? 0} events in ${seconds} s (seed ${FUZZ_SEED}); ${JSON.stringify(tally)}`);
  await t?.close();
});

type Auth = "none" | "one-header" | "junk" | "valid" | "stale" | "wrong-secret" | "other-clip" | "other-method";

interface Spec {
  version: "2.0" | "1.0";
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  auth: Auth;
  /** How the signature header names are spelled (header lookup is case-insensitive). */
  nameCase: "lower" | "title" | "upper";
  junk: { ts: string; sig: string };
  skewS: number;
}

const methodArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("GET", "HEAD") },
  { weight: 1, arbitrary: fc.constantFrom("get", "Head") },
  { weight: 3, arbitrary: fc.constantFrom("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "") },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 8 }) },
);

const authArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Auth>("none") },
  { weight: 1, arbitrary: fc.constant<Auth>("one-header") },
  { weight: 8, arbitrary: fc.constant<Auth>("junk") },
  { weight: 6, arbitrary: fc.constant<Auth>("valid") },
  { weight: 2, arbitrary: fc.constantFrom<Auth>("stale", "wrong-secret", "other-clip", "other-method") },
);

const junkArb = fc.record({
  ts: fc.oneof(
    fc.constantFrom("", "0", "-1", "1e9", "99999999999999", " 1700000000", "1700000000.5"),
    fc.nat().map(String),
    fc.string({ maxLength: 14 }),
  ),
  sig: fc.oneof(
    fc.constantFrom(
      "",
      "v1=",
      "v1=zz",
      "v2=00",
      "v1=" + "0".repeat(64),
      "v1=" + "0".repeat(63),
      "V1=" + "a".repeat(64),
    ),
    fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxyz"), maxLength: 80 }).map((h) => `v1=${h}`),
    fc.string({ maxLength: 40 }),
  ),
});

/** Header values API Gateway could hand over: printable text, long values, hostile Host headers. */
const headersArb = fc
  .record({
    host: fc.option(
      fc.constantFrom(
        "abc123.execute-api.us-east-1.amazonaws.com",
        "",
        "a b",
        "[::1",
        "x:99999",
        "@",
        "h/p?q#f",
        "ü.example",
        // The Host only names the host: none of this may become part of the request's path or query.
        "h.example?start_time_ms=5&duration_ms=1000",
        "h.example/?precise=1",
        "h.example?start_time_ms=5#x",
        "u:p@h.example:8443",
      ),
      { freq: 3 },
    ),
    accept: fc.option(fc.constantFrom("application/json", "audio/*", "*/*", ""), { freq: 2 }),
    range: fc.option(fc.constantFrom("bytes=0-1", "bytes=-5", "bytes=x"), { freq: 4 }),
    other: fc.dictionary(
      fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }),
      fc.string({ maxLength: 40 }),
      {
        maxKeys: 4,
      },
    ),
  })
  .map(({ host, accept, range, other }) => {
    const entries = Object.entries(other).filter(
      ([k]) => ![SIGNATURE_HEADER, TIMESTAMP_HEADER].includes(k.toLowerCase()),
    );
    if (host !== null) entries.push(["host", host]);
    if (accept !== null) entries.push(["accept", accept]);
    if (range !== null) entries.push(["range", range]);
    // fromEntries defines own properties, so a header named "__proto__" stays a header.
    return Object.fromEntries(entries);
  });

const specArb: fc.Arbitrary<Spec> = fc.record({
  version: fc.constantFrom<Spec["version"]>("2.0", "2.0", "2.0", "1.0"),
  method: methodArb,
  path: clipPath(EDGE_SIZES),
  query: clipQuery(EDGE_SIZES),
  headers: headersArb,
  auth: authArb,
  nameCase: fc.constantFrom<Spec["nameCase"]>("lower", "lower", "title", "upper"),
  junk: junkArb,
  skewS: fc.oneof(fc.integer({ min: 301, max: 10 ** 6 }), fc.integer({ min: -(10 ** 6), max: -301 })),
});

/** The URL the origin's steps read, built from the event's fields the way API Gateway defines them. */
function requestUrl(spec: Spec): URL {
  const url = new URL("https://origin.invalid");
  url.pathname = spec.path;
  if (spec.version === "2.0") url.search = spec.query;
  else for (const [k, v] of new URLSearchParams(spec.query)) url.searchParams.append(k, v);
  return url;
}

function headerName(name: string, how: Spec["nameCase"]): string {
  if (how === "upper") return name.toUpperCase();
  if (how === "title") return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
  return name;
}

/** The signature headers the spec asks for; `auth` is downgraded to "junk" when the request cannot be signed. */
async function authHeaders(spec: Spec, url: URL): Promise<{ auth: Auth; headers: Record<string, string> }> {
  const ts = headerName(TIMESTAMP_HEADER, spec.nameCase);
  const sig = headerName(SIGNATURE_HEADER, spec.nameCase);
  const junk = { [ts]: spec.junk.ts, [sig]: spec.junk.sig };
  if (spec.auth === "none") return { auth: "none", headers: {} };
  if (spec.auth === "one-header") return { auth: "one-header", headers: { [ts]: spec.junk.ts } };
  let canonical: string;
  try {
    canonical = canonicalPath(parseClipUrl(url));
  } catch {
    return { auth: "junk", headers: junk };
  }
  if (spec.auth === "junk") return { auth: "junk", headers: junk };
  const method = spec.auth === "other-method" ? (spec.method.toUpperCase() === "GET" ? "HEAD" : "GET") : spec.method;
  const signedPath =
    spec.auth === "other-clip" ? canonical.replace(/start_time_ms=(\d+)/, "start_time_ms=1$1") : canonical;
  const secret = spec.auth === "wrong-secret" ? `${SECRET}-old` : SECRET;
  const now = spec.auth === "stale" ? Date.now() + spec.skewS * 1000 : Date.now();
  const signed = await signOriginRequest({ method, canonicalPath: signedPath }, secret, now);
  return {
    auth: spec.auth,
    headers: { [ts]: signed[TIMESTAMP_HEADER] ?? "", [sig]: signed[SIGNATURE_HEADER] ?? "" },
  };
}

function buildEvent(spec: Spec, headers: Record<string, string>): ApiGatewayEvent {
  const init = { method: spec.method, path: spec.path, query: spec.query, headers, requestId: `fuzz-${randomUUID()}` };
  if (spec.version === "1.0") return throughJson(restApiEvent(init));
  return throughJson(httpApiEvent({ ...init, routeKey: "$default", userAgent: "fuzz" }));
}

/** Lambda hands the handler JSON.parse'd events: "__proto__" keys are own properties, undefined is gone. */
function throughJson<T>(event: T): T {
  return JSON.parse(JSON.stringify(event)) as T;
}

interface Expected {
  status: number;
  code: string;
  param?: string | undefined;
}

/** What the origin must answer, from its documented order of checks. */
function expectedAnswer(spec: Spec, url: URL, auth: Auth): Expected {
  const method = spec.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD") return { status: 405, code: "method_not_allowed" };
  if (auth === "none" || auth === "one-header") return { status: 403, code: "forbidden" };
  try {
    parseClipUrl(url);
  } catch (err) {
    if (!(err instanceof ClipError)) throw err;
    return { status: err.status, code: err.code, param: err.param };
  }
  if (auth !== "valid") return { status: 403, code: "forbidden" };
  return { status: 404, code: "episode_not_found" };
}

// Long property runs get minutes: a busy machine stretches them, and they assert outcomes, not time.
describe("fuzz: the origin's handler (real createOrigin, real local S3 and MongoDB)", { timeout: 600_000 }, () => {
  it(`answers ${RUNS} generated API Gateway events with the predicted typed 4xx, never a 5xx`, async () => {
    let lookups = 0;
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const url = requestUrl(spec);
        const { auth, headers: signature } = await authHeaders(spec, url);
        const expected = expectedAnswer(spec, url, auth);
        // Cap the slow path (S3 HEAD and a MongoDB query): beyond it, valid requests go out unsigned.
        if (expected.code === "episode_not_found" && ++lookups > MAX_LOOKUPS) {
          count("lookups over the cap, skipped");
          return;
        }
        count("events");
        count(`auth ${auth}`);
        count(`status ${expected.status}`);
        count(`code ${expected.code}`);
        const event = buildEvent(
          spec,
          Object.fromEntries([...Object.entries(spec.headers), ...Object.entries(signature)]),
        );
        const res = await t.origin.handle(event, LAMBDA);
        const context = `${spec.method} ${spec.path}?${spec.query} (payload ${spec.version}, auth ${auth})`;
        expect(res.statusCode, context).toBeLessThan(500);
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          throw new Error(`${context}: the body is not JSON: ${res.body.slice(0, 200)}`);
        }
        expect(isClipErrorBody(body), `${context}: ${res.body.slice(0, 300)}`).toBe(true);
        const { error } = body as { error: { code: keyof typeof ERROR_STATUS; message: string; param?: string } };
        expect(ERROR_STATUS[error.code], context).toBe(res.statusCode);
        expect({ status: res.statusCode, code: error.code, param: error.param }, context).toEqual({
          status: expected.status,
          code: expected.code,
          param: expected.param,
        });
        expect(res.headers?.["content-type"]).toMatch(/^application\/json/);
        expect(res.headers?.["cache-control"]).toBe("no-store");
        if (res.statusCode === 405) expect(res.headers?.allow).toBe("GET, HEAD");
      }),
      { numRuns: RUNS + MAX_LOOKUPS, seed: FUZZ_SEED },
    );
    expect(tally.events).toBeGreaterThanOrEqual(RUNS);
    // The generator must reach every step, or the property says little.
    for (const status of [400, 403, 404, 405]) expect(tally[`status ${status}`] ?? 0).toBeGreaterThan(100);
    expect(Math.min(lookups, MAX_LOOKUPS)).toBeGreaterThan(100);
    // No request errored on the origin's side either (every 5xx is logged at level "error").
    expect(t.logs.filter((line) => line.level === "error")).toEqual([]);
  });
});
