/**
 * Random and adversarial clip requests for the fuzz tests (issue #6), shared by the core parser, the origin
 * handler and the edge in workerd. Everything here produces request text as a client could send it: a path
 * after the host and a query string, spelled validly or not. Pure (fast-check only), so any runtime's test
 * can use it.
 */
import fc from "fast-check";
import { CLIP_PATH_PREFIX, DEFAULT_LIMITS, MAX_START_MS } from "../../../core/index.js";

/** One fixed seed per run of the suite, so a failure is reproducible; FUZZ_SEED=<n> explores another. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_006);

/** Every byte of the UTF-8 form as %XX, so even digits and names arrive spelled differently. */
export const encodeAll = (s: string): string =>
  [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");

/** Lengths of the "very long" inputs; the edge keeps them within what Cloudflare accepts in a URL (16 KB). */
export interface FuzzSizes {
  longMax: number;
}

export const CORE_SIZES: FuzzSizes = { longMax: 100_000 };
export const EDGE_SIZES: FuzzSizes = { longMax: 6_000 };

const VALID_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

/** A valid episode id (what the parser must accept), 1 to 128 characters. */
export const validEpisodeId: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(..."abcXYZ0189"), fc.string({ unit: fc.constantFrom(...VALID_ID_CHARS), maxLength: 127 }))
  .map(([first, rest]) => first + rest);

/** Decoded (text) episode ids a client could mean, most of them invalid. */
export function adversarialEpisodeId(sizes: FuzzSizes): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 40, arbitrary: shortEpisodeId },
    // Rare, so the average input stays small: one id in 40 is 129 characters up to sizes.longMax.
    { weight: 1, arbitrary: fc.integer({ min: 129, max: sizes.longMax }).map((n) => "a".repeat(n)) },
  );
}

const shortEpisodeId: fc.Arbitrary<string> = fc.oneof(
  validEpisodeId,
  fc.constantFrom(
    "",
    ".",
    "..",
    "...",
    "../..",
    "../audio_clips",
    "..\\..",
    "a/../b",
    "ep..1",
    "-leading-dash",
    "_leading_underscore",
    "a".repeat(128),
    "a".repeat(129),
    "ep\u0000",
    "\u0000",
    "ep 1",
    "ep+1",
    "ep.mp3",
    "ep%2F",
    "ep\uD800",
    "ｅｐ１",
    "ep\u202Eevil",
    "ep\u200B",
    "e\u0301p",
    "ep\n",
    "ep\r\nx-injected: 1",
    "${episode}",
    "audio_clips/other",
    "/etc/passwd",
    "C:\\Windows",
    "*",
    "?",
    "#",
  ),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(..."aZ0-_./\\%"), maxLength: 16 }),
  fc
    .tuple(validEpisodeId, fc.constantFrom("/", "\\", ".", "..", "/..", "%", "\u0000", " "), validEpisodeId)
    .map(([a, sep, b]) => a + sep + b),
);

/** How a decoded path segment is written into the URL. */
function spellSegment(id: string): fc.Arbitrary<string> {
  const safe = (() => {
    try {
      return encodeURIComponent(id);
    } catch {
      return encodeAll(id); // a lone surrogate: encodeURIComponent throws, UTF-8 gives U+FFFD
    }
  })();
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(safe) },
    { weight: 1, arbitrary: fc.constant(encodeAll(id)) },
    // Raw: '/', '?', '#', '%' and '..' keep their URL meaning (traversal, a second segment, a query...).
    { weight: 2, arbitrary: fc.constant(id) },
    // Some characters encoded, the rest raw.
    {
      weight: 1,
      arbitrary: fc
        .array(fc.boolean(), { minLength: [...id].length, maxLength: [...id].length })
        .map((enc) => [...id].map((c, i) => (enc[i] ? encodeAll(c) : c)).join("")),
    },
  );
}

/** Path segments that are traversal or broken percent-encoding as written, not as decoded. */
const hostileSegment = fc.constantFrom(
  "..%2F",
  "..%2f..%2f..%2fetc%2fpasswd",
  "%2e%2e",
  "%2E%2E%2F",
  "%2e%2e%2fsecret",
  "..%5C",
  "a%2F..%2Fb",
  "%252e%252e%252f",
  "%c0%ae%c0%ae%c0%af",
  "%C0%AF",
  "%ED%A0%80",
  "%FF",
  "%E0%A4%A",
  "%",
  "%%",
  "%zz",
  "%0",
  "%00",
  "ep%00",
  "ep%0d%0aset-cookie:x",
  "ep;jsessionid=1",
  "ep%3Fstart_time_ms%3D0",
  "ep%23frag",
  "ep/",
  "ep//",
  "/ep",
  "ep/extra",
  "",
);

/** The part of the path after CLIP_PATH_PREFIX, as written in the URL. */
export function episodeSegment(sizes: FuzzSizes): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: validEpisodeId },
    { weight: 2, arbitrary: validEpisodeId.chain(spellSegment) },
    { weight: 3, arbitrary: adversarialEpisodeId(sizes).chain(spellSegment) },
    { weight: 2, arbitrary: hostileSegment },
  );
}

const prefixVariant = fc.constantFrom(
  "/api/v1/audio_clips",
  "/api/v1/audio_clips//",
  "/API/v1/audio_clips/",
  "/api/V1/audio_clips/",
  "/api/v2/audio_clips/",
  "/api/v1/audio_clip/",
  "/api/v1//audio_clips/",
  "//api/v1/audio_clips/",
  "/./api/v1/audio_clips/",
  "/api/v1/audio_clips/../audio_clips/",
  "/api/v1/x/../audio_clips/",
  "/api/v1/audio_clips%2F",
  "/api%2Fv1%2Faudio_clips%2F",
  "/%61pi/v1/audio_clips/",
  "/api/v1/audio_clips/%2e%2e/audio_clips/",
  "/api/v1/audio_clips\\",
  "/",
  "",
  "/healthz/",
);

/** A path as a request line carries it (always starting with "/"), mostly the clip route. */
export function clipPath(sizes: FuzzSizes): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 24, arbitrary: episodeSegment(sizes).map((s) => CLIP_PATH_PREFIX + s) },
      { weight: 3, arbitrary: fc.tuple(prefixVariant, episodeSegment(sizes)).map(([p, s]) => p + s) },
      { weight: 1, arbitrary: fc.webPath() },
      { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }) },
    )
    .map((p) => (p.startsWith("/") ? p : `/${p}`));
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Decimal-looking text that is not a plain, in-range decimal integer, or is one only at a boundary. */
export function adversarialNumber(sizes: FuzzSizes): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 40, arbitrary: shortNumber },
    // Rare: 17 up to sizes.longMax digits, all zeros before a valid value, or nines.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 17, max: sizes.longMax }), fc.constantFrom("0", "9", "1"), fc.constantFrom("", "1500"))
        .map(([n, d, tail]) => d.repeat(n) + tail),
    },
  );
}

const { minClipMs: MIN_CLIP, maxClipMs: MAX_CLIP } = DEFAULT_LIMITS;

const shortNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "0",
    "00",
    "1",
    String(MIN_CLIP - 1),
    String(MIN_CLIP),
    String(MAX_CLIP),
    String(MAX_CLIP + 1),
    String(MAX_START_MS),
    String(MAX_START_MS + 1),
    String(MAX_SAFE),
    "9007199254740992",
    "9007199254740993",
    "9999999999999999",
    "10000000000000000",
    "18446744073709551616",
    "-0",
    "-1",
    "+1000",
    " 1000",
    "1000 ",
    "\t1000",
    "1 000",
    "1_000",
    "1,000",
    "1000.",
    "1000.0",
    ".5",
    "1e3",
    "1E3",
    "1e+3",
    "0x3e8",
    "0X3E8",
    "0b1111101000",
    "0o1750",
    "1000n",
    "Infinity",
    "-Infinity",
    "NaN",
    "null",
    "undefined",
    "true",
    "[]",
    "١٠٠٠",
    "१०००",
    "１０００",
    "𝟏𝟎𝟎𝟎",
    "¹⁰⁰⁰",
    "1000\u0000",
    "\u00001000",
    "1000\u200B",
    "1000\uFEFF",
    "%31000",
    "1000%00",
  ),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 80n }).map(String),
  fc.double().map(String),
  fc.double({ min: 0, max: 1e7, noNaN: true }).map((d) => d.toFixed(3)),
  fc
    .tuple(
      fc.integer({ min: -99, max: 99_999 }),
      fc.constantFrom("e", "E", "e+", "e-"),
      fc.integer({ min: 0, max: 400 }),
    )
    .map(([m, e, x]) => `${m}${e}${x}`),
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.nat()).map(([zeros, n]) => "0".repeat(zeros) + String(n)),
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(..."0123456789+-.eExX _%,"), maxLength: 20 }),
);

const REAL_NAMES = ["start_time_ms", "duration_ms", "end_time_ms", "precise"] as const;
const REAL_NAMES_SET: ReadonlySet<string> = new Set(REAL_NAMES);

/** Parameter names: the real ones, near misses and noise. */
const paramName: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...REAL_NAMES) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "START_TIME_MS",
      "Start_Time_Ms",
      "start_time_ms ",
      " start_time_ms",
      "start_time_ms\u0000",
      "start_time_ms[]",
      "start-time-ms",
      "startTimeMs",
      "start_time",
      "duration",
      "Duration_ms",
      "end_time_ms.",
      "PRECISE",
      "response",
      "sig",
      "kid",
      "exp",
      "utm_source",
      "__proto__",
      "constructor",
      "",
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 10 }) },
);

/** Values for `precise`. */
const flagValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("1", "0", "true", "false"),
  fc.constantFrom("", "yes", "no", "TRUE", "True", "01", "1 ", "2", "-1", "on", "\u0000", "1\u0000"),
  fc.string({ unit: "binary", maxLength: 6 }),
);

/** How a name or value is written into the query. */
type Encoding = "uri" | "all" | "raw" | "plus" | "digits";

function writeQueryText(s: string, how: Encoding): string {
  switch (how) {
    case "uri":
      try {
        return encodeURIComponent(s);
      } catch {
        return encodeAll(s);
      }
    case "all":
      return encodeAll(s);
    case "raw":
      return s; // '&', '=', '#', '+' and '%' keep their meaning: the query's structure is part of the input
    case "plus":
      return writeQueryText(s, "uri").replaceAll("%20", "+");
    case "digits":
      return [...s].map((c) => (c >= "0" && c <= "9" ? `%3${c}` : c)).join("");
  }
}

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Encoding>("uri") },
  { weight: 1, arbitrary: fc.constant<Encoding>("all") },
  { weight: 2, arbitrary: fc.constant<Encoding>("raw") },
  { weight: 1, arbitrary: fc.constant<Encoding>("plus") },
  { weight: 1, arbitrary: fc.constant<Encoding>("digits") },
);

const pair = (name: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(name, value, encoding, encoding, fc.constantFrom("=", "=", "=", "==", ""))
    .map(
      ([k, v, ek, ev, eq]) => `${writeQueryText(k, ek)}${eq === "" ? "" : eq}${eq === "" ? "" : writeQueryText(v, ev)}`,
    );

/** Query fragments that break the structure itself. */
const rawFragment = fc.constantFrom(
  "",
  "&",
  "=",
  "==",
  "start_time_ms",
  "start_time_ms=",
  "start_time_ms==1000",
  "start_time_ms=1000=1000",
  "duration_ms=%",
  "duration_ms=%zz",
  "duration_ms=%00",
  "duration_ms=%C0%AF",
  "duration_ms=%FF",
  "duration_ms=%ED%A0%80",
  "%73tart_time_ms=0",
  "start%5Ftime%5Fms=0",
  "start_time_ms%3D0",
  "a=b;start_time_ms=0",
  "precise=%31",
  "#",
  "#start_time_ms=0",
  "?",
  "%26",
  "+",
);

/** A query being built: the real parameters as decoded text, then anything else already written. */
interface Draft {
  start: string | undefined;
  lengths: { name: "duration_ms" | "end_time_ms"; text: string }[];
  precise: string | undefined;
  extra: string[];
  separator: string;
}

type Mutation = (draft: Draft) => void;

/** One way of breaking a valid request; a query gets up to three of them. */
function mutation(sizes: FuzzSizes): fc.Arbitrary<Mutation> {
  const { minClipMs, maxClipMs } = DEFAULT_LIMITS;
  const number = adversarialNumber(sizes);
  const setLength = (text: string) => (d: Draft) => {
    const [first] = d.lengths;
    if (first) first.text = text;
  };
  return fc.oneof(
    number.map((text) => (d: Draft) => void (d.start = text)),
    fc.constant((d: Draft) => void (d.start = undefined)),
    number.map(setLength),
    fc.constantFrom(minClipMs - 1, maxClipMs + 1, 0, 1, MAX_SAFE).map((n) => setLength(String(n))),
    fc.constant((d: Draft) => void (d.lengths = [])),
    fc.nat({ max: 400_000 }).map((n) => (d: Draft) => {
      const name = d.lengths[0]?.name === "end_time_ms" ? "duration_ms" : "end_time_ms";
      d.lengths.push({ name, text: String(n) });
    }),
    flagValue.map((text) => (d: Draft) => void (d.precise = text)),
    pair(paramName, fc.oneof(number, flagValue)).map((part) => (d: Draft) => void d.extra.push(part)),
    rawFragment.map((part) => (d: Draft) => void d.extra.push(part)),
    fc.constantFrom(";", "&&", "&amp;").map((sep) => (d: Draft) => void (d.separator = sep)),
  );
}

/** Parameters the parser ignores: they must never change the answer. */
const harmlessExtra = pair(
  fc.oneof(
    fc.constantFrom("response", "sig", "kid", "exp", "utm_source", "t", "start", "__proto__", "precise_", ""),
    fc.string({ unit: "grapheme-ascii", maxLength: 8 }).filter((k) => !REAL_NAMES_SET.has(k)),
  ),
  fc.string({ unit: "grapheme", maxLength: 10 }),
).filter((part) => {
  const [name] = [...new URLSearchParams(part).keys()];
  return name === undefined || !REAL_NAMES_SET.has(name);
});

/**
 * A query shaped like a real clip request: a valid request in one of its many valid spellings (leading
 * zeros, percent-encoded digits and names, either length form, any order, ignored extras), and in three
 * cases out of five one to three mutations that break it at every possible point. About a third parse.
 */
export function clipQuery(sizes: FuzzSizes): fc.Arbitrary<string> {
  const { minClipMs, maxClipMs } = DEFAULT_LIMITS;
  const structured = fc
    .record({
      startMs: fc.oneof(fc.integer({ min: 0, max: MAX_START_MS }), fc.constantFrom(0, MAX_START_MS)),
      durationMs: fc.oneof(fc.integer({ min: minClipMs, max: maxClipMs }), fc.constantFrom(minClipMs, maxClipMs)),
      endForm: fc.boolean(),
      precise: fc.option(fc.constantFrom("1", "0", "true", "false"), { freq: 2 }),
      zeros: fc.nat({ max: 3 }),
      encodings: fc.array(fc.constantFrom<Encoding>("uri", "uri", "uri", "all", "digits", "raw"), {
        minLength: 4,
        maxLength: 4,
      }),
      extras: fc.array(harmlessExtra, { maxLength: 3 }),
      mutations: fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 3, arbitrary: fc.array(mutation(sizes), { minLength: 1, maxLength: 3 }) },
      ),
    })
    .chain((r) => {
      const zeros = "0".repeat(r.zeros);
      const draft: Draft = {
        start: zeros + String(r.startMs),
        lengths: [
          r.endForm
            ? { name: "end_time_ms", text: String(r.startMs + r.durationMs) }
            : { name: "duration_ms", text: zeros + String(r.durationMs) },
        ],
        precise: r.precise ?? undefined,
        extra: [...r.extras],
        separator: "&",
      };
      for (const mutate of r.mutations) mutate(draft);
      const [e0 = "uri", e1 = "uri", e2 = "uri", e3 = "uri"] = r.encodings;
      const parts = [
        ...(draft.start === undefined
          ? []
          : [`${writeQueryText("start_time_ms", e0)}=${writeQueryText(draft.start, e1)}`]),
        ...draft.lengths.map((l) => `${writeQueryText(l.name, e0)}=${writeQueryText(l.text, e2)}`),
        ...(draft.precise === undefined ? [] : [`precise=${writeQueryText(draft.precise, e3)}`]),
        ...draft.extra,
      ];
      return fc.shuffledSubarray(parts, { minLength: parts.length }).map((order) => order.join(draft.separator));
    });
  return fc.oneof(
    { weight: 16, arbitrary: structured },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.oneof(pair(paramName, fc.oneof(adversarialNumber(sizes), flagValue)), rawFragment), { maxLength: 8 })
        .map((parts) => parts.join("&")),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.webQueryParameters() },
  );
}

/**
 * A path and query: `${path}?${query}`, sometimes with no '?' at all or with a fragment. Append it to an
 * origin ("https://host" + it), not resolve it against one: a path may start with "//".
 */
export function clipPathAndQuery(sizes: FuzzSizes): fc.Arbitrary<string> {
  return fc
    .tuple(
      clipPath(sizes),
      clipQuery(sizes),
      fc.oneof({ weight: 20, arbitrary: fc.constant("?") }, { weight: 1, arbitrary: fc.constantFrom("", "??") }),
      fc.option(fc.webFragments(), { freq: 10 }),
    )
    .map(([p, q, mark, frag]) => `${p}${mark}${q}${frag === null ? "" : `#${frag}`}`);
}
