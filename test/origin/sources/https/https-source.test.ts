import { randomBytes } from "node:crypto";
import type { LookupAddress } from "node:dns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ClipError } from "../../../../core/index.js";
import {
  HttpsSourceChangedError,
  openHttpsSource,
  type HttpsSourcePolicy,
} from "../../../../origin/sources/https/https-source.js";
import { startHttpsServer, testCertificate, type TestHttpsServer } from "../../helpers/https-server.js";

// A real TLS server on 127.0.0.1, reached under made-up names through an injected resolver: the names let
// the allow-list and redirects be exercised, the resolver lets a name point anywhere (10.x, ::1...).
const NAMES = ["audio.test", "cdn.audio.test", "other.test"];
const DNS: Record<string, string[]> = {
  "audio.test": ["127.0.0.1"],
  "cdn.audio.test": ["127.0.0.1"],
  "other.test": ["127.0.0.1"],
  "private.audio.test": ["10.0.0.5"],
  "metadata.audio.test": ["169.254.169.254"],
  "v6loop.audio.test": ["::1"],
  "mapped.audio.test": ["::ffff:127.0.0.1"],
  "mixed.audio.test": ["127.0.0.1", "10.0.0.5"],
};

let server: TestHttpsServer;
let ca: string;
let lookups: string[];
const file = randomBytes(100_000);

function answers(address: string): LookupAddress {
  return { address, family: address.includes(":") ? 6 : 4 };
}

async function resolve(hostname: string): Promise<LookupAddress[]> {
  lookups.push(hostname);
  const found = DNS[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return found.map(answers);
}

function policy(over: Partial<HttpsSourcePolicy> = {}): HttpsSourcePolicy {
  return {
    allowedHosts: ["audio.test", "*.audio.test"],
    maxBytes: 1024 ** 3,
    timeoutMs: 2000,
    resolve,
    // The test server is on loopback; only its exact address is let through, and only here.
    testOnly: { ca, allowAddresses: ["127.0.0.1"] },
    ...over,
  };
}

const url = (host: string, path: string) => `https://${host}:${server.port}${path}`;

async function refused(promise: Promise<unknown>): Promise<ClipError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClipError);
  return err as ClipError;
}

beforeAll(async () => {
  const tls = await testCertificate(NAMES);
  ca = tls.cert;
  server = await startHttpsServer(tls, file);
});

afterAll(() => server?.close());

beforeEach(() => {
  lookups = [];
  server.ignoreRange = false;
  server.closeConnections = false;
  server.ignoredRangeBytesSent = 0;
  server.replaceFile(file);
});

describe("reading an allowed https source", () => {
  it("knows size and ETag from a 1-byte probe and reads exact ranges, over the checked address", async () => {
    const source = await openHttpsSource(url("audio.test", "/audio.mp3?token=secret"), policy());
    try {
      expect(source.size).toBe(file.length);
      expect(source.etag).toBe(server.file.etag);
      expect(source.label).toBe(`https://audio.test:${server.port}/audio.mp3?…`);
      expect(Buffer.from(await source.readRange(1000, 5000)).equals(file.subarray(1000, 5000))).toBe(true);
      const parts = await Promise.all([0, 1, 2, 3].map((i) => source.readRange(i * 25_000, (i + 1) * 25_000)));
      expect(Buffer.concat(parts).equals(file)).toBe(true);
      // Past the end, a read stops at the end (as S3 does), and an empty range reads nothing.
      expect((await source.readRange(99_990, 100_100)).length).toBe(10);
      expect((await source.readRange(500, 500)).length).toBe(0);
      expect(lookups.every((h) => h === "audio.test")).toBe(true);
    } finally {
      source.close();
    }
  });

  it("follows up to 3 redirects within the allow-list, then reads from where they led", async () => {
    const final = url("cdn.audio.test", "/audio.mp3");
    const hop2 = url("audio.test", `/redirect?to=${encodeURIComponent(final)}`);
    const hop1 = url("audio.test", `/redirect?to=${encodeURIComponent(hop2)}`);
    // Each answer closes its connection, so the read below needs a connection (and a lookup) of its own.
    server.closeConnections = true;
    const source = await openHttpsSource(hop1, policy());
    try {
      lookups = [];
      expect(Buffer.from(await source.readRange(0, 10)).equals(file.subarray(0, 10))).toBe(true);
      expect(lookups).toEqual(["cdn.audio.test"]);
    } finally {
      source.close();
    }
  });

  it("a source replaced while it is read is reported as changed (If-Match), not read across versions", async () => {
    const source = await openHttpsSource(url("audio.test", "/audio.mp3"), policy());
    try {
      server.replaceFile(randomBytes(100_000));
      await expect(source.readRange(0, 100)).rejects.toBeInstanceOf(HttpsSourceChangedError);
    } finally {
      source.close();
    }
  });
});

describe("refused before any connection", () => {
  it("a host not on the allow-list → 422 naming the host and the setting", async () => {
    const before = server.connections;
    const err = await refused(openHttpsSource(url("other.test", "/audio.mp3"), policy()));
    expect([err.status, err.code]).toEqual([422, "unprocessable_source"]);
    expect(err.message).toBe(
      `The audio location https://other.test:${server.port}/audio.mp3 is on host other.test, which is not in SOURCE_HOST_ALLOWLIST`,
    );
    expect(server.connections).toBe(before);
    expect(lookups).toEqual([]);
  });

  it("an empty allow-list refuses every https source", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/audio.mp3"), policy({ allowedHosts: [] })));
    expect(err.message).toMatch(/none are allowed \(SOURCE_HOST_ALLOWLIST is empty\)$/);
  });

  it("http:// → 422 'only https'", async () => {
    const err = await refused(openHttpsSource(`http://audio.test:${server.port}/audio.mp3`, policy()));
    expect([err.status, err.message]).toEqual([
      422,
      `The audio location http://audio.test:${server.port}/audio.mp3 is not https://; only https sources are allowed`,
    ]);
  });

  it("an allow-listed IP literal on loopback (sockets skip lookup for literals) → 422", async () => {
    const err = await refused(
      openHttpsSource(`https://127.0.0.2:${server.port}/a`, policy({ allowedHosts: ["127.0.0.2"] })),
    );
    expect(err.message).toBe(
      "Source host 127.0.0.2 resolves to 127.0.0.2 (loopback); https sources must be on public addresses",
    );
  });
});

describe("refused after DNS resolution (the checked address is the one connected to)", () => {
  it.each([
    ["private.audio.test", "10.0.0.5", "private"],
    ["metadata.audio.test", "169.254.169.254", "link-local"],
    ["v6loop.audio.test", "::1", "loopback"],
    ["mapped.audio.test", "::ffff:127.0.0.1", "loopback"],
    ["mixed.audio.test", "10.0.0.5", "private"],
  ])("%s (→ %s) → 422 '%s', and no connection is made", async (host, address, kind) => {
    const before = server.connections;
    const err = await refused(openHttpsSource(url(host, "/audio.mp3"), policy()));
    expect([err.status, err.message]).toEqual([
      422,
      `Source host ${host} resolves to ${address} (${kind}); https sources must be on public addresses`,
    ]);
    expect(server.connections).toBe(before);
  });

  it("without the test-only exemption, loopback itself is refused", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/audio.mp3"), policy({ testOnly: { ca } })));
    expect(err.message).toMatch(/resolves to 127\.0\.0\.1 \(loopback\)/);
  });

  it("a name that rebinds to a private address after the first check is refused on the next connection", async () => {
    let calls = 0;
    const rebinding = async (host: string) => (calls++ === 0 ? resolve(host) : [answers("10.0.0.5")]);
    server.closeConnections = true;
    const source = await openHttpsSource(url("audio.test", "/audio.mp3"), policy({ resolve: rebinding }));
    try {
      const before = server.connections;
      const err = await refused(source.readRange(0, 10));
      expect(err.message).toMatch(/resolves to 10\.0\.0\.5 \(private\)/);
      expect(server.connections).toBe(before);
    } finally {
      source.close();
    }
  });
});

describe("refused redirects (each hop is checked again)", () => {
  const via = (to: string) => url("audio.test", `/redirect?to=${encodeURIComponent(to)}`);

  it("to a host not on the allow-list → 422 naming it", async () => {
    const err = await refused(openHttpsSource(via(url("other.test", "/audio.mp3")), policy()));
    expect(err.status).toBe(422);
    expect(err.message).toMatch(
      /redirected to https:\/\/other\.test:\d+\/audio\.mp3 is on host other\.test, which is not in SOURCE_HOST_ALLOWLIST$/,
    );
  });

  it("to http:// → 422", async () => {
    const err = await refused(openHttpsSource(via(`http://audio.test:${server.port}/audio.mp3`), policy()));
    expect(err.message).toMatch(/redirected to http:\/\/audio\.test:\d+\/audio\.mp3 is not https:\/\//);
  });

  it("to an allowed name that resolves to a private address → 422", async () => {
    const err = await refused(openHttpsSource(via(url("private.audio.test", "/audio.mp3")), policy()));
    expect(err.message).toMatch(/private\.audio\.test resolves to 10\.0\.0\.5 \(private\)/);
  });

  it("more than 3 redirects → 502", async () => {
    let target = url("audio.test", "/audio.mp3");
    for (let i = 0; i < 4; i++) target = via(target);
    const err = await refused(openHttpsSource(target, policy()));
    expect([err.status, err.message]).toEqual([502, expect.stringMatching(/redirected more than 3 times$/)]);
  });
});

describe("upstream answers", () => {
  it("larger than SOURCE_MAX_BYTES → 422 with both sizes", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/big"), policy({ maxBytes: 2 * 1024 ** 3 })));
    expect([err.status, err.message]).toEqual([
      422,
      `The source https://audio.test:${server.port}/big is ${3 * 1024 ** 3} bytes, more than SOURCE_MAX_BYTES (${2 * 1024 ** 3})`,
    ]);
  });

  it("404 → 404 'Source audio not found'", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/missing"), policy()));
    expect([err.status, err.code, err.message, err.detail]).toEqual([
      404,
      "not_found",
      "The episode's audio was not found in storage",
      `Source audio not found: https://audio.test:${server.port}/missing`,
    ]);
  });

  it("500 → 502 with Retry-After", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/error"), policy()));
    expect([err.status, err.retryAfterS, err.message]).toEqual([
      502,
      5,
      `The source host answered HTTP 500 for https://audio.test:${server.port}/error`,
    ]);
  });

  it("no answer within timeoutMs → 504", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/hang"), policy({ timeoutMs: 300 })));
    expect([err.status, err.message]).toEqual([
      504,
      `The source host did not answer within 300 ms reading https://audio.test:${server.port}/hang`,
    ]);
  });

  it("the request's deadline (signal) passing → 504", async () => {
    const err = await refused(
      openHttpsSource(url("audio.test", "/hang"), policy({ signal: AbortSignal.timeout(200), timeoutMs: 10_000 })),
    );
    expect([err.status, err.message]).toEqual([
      504,
      `Stopped reading https://audio.test:${server.port}/hang: the request's deadline passed`,
    ]);
  });

  it("a certificate the policy does not trust → 502 naming the TLS problem", async () => {
    const err = await refused(
      openHttpsSource(url("audio.test", "/audio.mp3"), policy({ testOnly: { allowAddresses: ["127.0.0.1"] } })),
    );
    expect([err.status, err.message]).toEqual([
      502,
      expect.stringMatching(/^The TLS certificate of the source host was not accepted \(/),
    ]);
  });

  it("Range ignored (200 with a 256 MiB body) → 422, and the body is not downloaded", async () => {
    const err = await refused(openHttpsSource(url("audio.test", "/norange"), policy()));
    expect([err.status, err.message]).toEqual([422, expect.stringMatching(/^The source host ignores byte ranges/)]);
    await server.settled();
    // What the server pushed before the connection was cut: socket buffers, not the file.
    expect(server.ignoredRangeBytesSent).toBeLessThan(8 * 1024 ** 2);
  });

  it("Range ignored on a later read → 422, again without reading the body", async () => {
    const source = await openHttpsSource(url("audio.test", "/audio.mp3"), policy());
    try {
      server.ignoreRange = true;
      const err = await refused(source.readRange(0, 1000));
      expect(err.status).toBe(422);
      await server.settled();
      expect(server.ignoredRangeBytesSent).toBeLessThan(8 * 1024 ** 2);
    } finally {
      source.close();
    }
  });
});
