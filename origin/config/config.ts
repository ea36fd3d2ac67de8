import * as z from "zod";
import { validateLimits, type ClipLimits } from "../../core/index.js";
import { DEFAULT_SOURCE_MAX_BYTES, parseHostAllowlist } from "../sources/https/policy.js";
import { DEFAULT_METRICS_NAMESPACE } from "../observe/metrics.js";

/** Everything the origin reads from its environment, validated once at cold start. */
export interface OriginConfig {
  mongodbUri: string;
  mongodbDb: string;
  mongoServerSelectionTimeoutMs: number;
  /** Bucket for episodes whose audio location is a bare key instead of `s3://bucket/key`. */
  rawBucket: string | undefined;
  clipsBucket: string;
  s3Endpoint: string | undefined;
  s3ForcePathStyle: boolean;
  region: string;
  /** The first signs (the Worker's side); all verify, so secrets can be rotated without downtime. */
  originSecrets: readonly string[];
  limits: ClipLimits;
  presignExpiresS: number;
  collections: { episodes: string; clips: string; seekIndexes: string };
  /** title, show and imageUrl are optional in each document: public facts, clip tags and share pages use them. */
  episodeFields: { id: string; audioUrl: string; durationMs: string; title: string; show: string; imageUrl: string };
  ffmpegPath: string | undefined;
  ffmpegTimeoutMarginMs: number;
  /** Hosts `https://` audio locations may be read from (exact, or `*.example.com`); empty refuses them all. */
  sourceHostAllowlist: readonly string[];
  sourceMaxBytes: number;
  /** CloudWatch namespace of the metrics embedded in the request log lines (EMF). */
  metricsNamespace: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly problems: readonly string[],
    what = "origin configuration",
  ) {
    super(
      `Invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

const required = (what: string) => z.string({ error: `required: ${what}` });

function integer(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, "must be a whole number written with the digits 0-9")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);
}

// S3's bucket naming rules (lowercase, 3-63 chars); catching a typo here beats an opaque SDK error later.
const bucket = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 of a-z 0-9 . -)");

// Dotted paths are allowed so an existing catalog with nested documents can be mapped.
const fieldName = (fallback: string) =>
  z
    .string()
    .regex(/^[^$.][^$]*$/, "must be a MongoDB field name or dotted path, not starting with '$' or '.'")
    .default(fallback);

/** Where an episode document keeps its id, audio location and duration unless EPISODE_FIELD_* say otherwise. */
export const DEFAULT_EPISODE_FIELDS: OriginConfig["episodeFields"] = {
  id: "episode_id",
  audioUrl: "audio_url",
  durationMs: "duration_ms",
  title: "title",
  show: "show",
  imageUrl: "image_url",
};

const collection = (fallback: string) =>
  z
    .string()
    .regex(/^[^$\0]{1,120}$/, "must be a MongoDB collection name (no '$')")
    .default(fallback);

const boolean = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

export const settingsSchema = z.strictObject({
  MONGODB_URI: required("the MongoDB connection string (mongodb:// or mongodb+srv://)").regex(
    /^mongodb(\+srv)?:\/\/\S+$/,
    "must start with mongodb:// or mongodb+srv://",
  ),
  MONGODB_DB: z
    .string()
    .regex(/^[^/\\. "$*<>:|?]{1,63}$/, "must be a MongoDB database name")
    .default("edgeclip"),
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: integer(100, 60_000, 3000),
  RAW_BUCKET: bucket.optional(),
  CLIPS_BUCKET: required("the S3 bucket that stores generated clips").pipe(bucket),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  S3_FORCE_PATH_STYLE: boolean.optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/, "must be an AWS region such as us-east-1")
    .default("us-east-1"),
  ORIGIN_SECRET: required("the shared secret the Worker signs origin requests with (comma-separated to rotate)")
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(z.string().min(16, "each secret must be at least 16 characters")).min(1)),
  // Read by ssm-secrets.ts before this schema runs; listed so the strict check accepts them.
  ORIGIN_SECRET_SSM_PARAM: z.string().optional(),
  MIN_CLIP_MS: integer(1, 3_600_000, 1000),
  MAX_CLIP_MS: integer(1, 3_600_000, 300_000),
  // SigV4 pre-signed URLs are valid for at most 7 days.
  PRESIGN_EXPIRES_S: integer(1, 604_800, 86_400),
  EPISODE_COLLECTION: collection("episodes"),
  CLIPS_COLLECTION: collection("audio_clips"),
  SEEK_INDEX_COLLECTION: collection("seek_indexes"),
  EPISODE_FIELD_ID: fieldName(DEFAULT_EPISODE_FIELDS.id),
  EPISODE_FIELD_AUDIO_URL: fieldName(DEFAULT_EPISODE_FIELDS.audioUrl),
  EPISODE_FIELD_DURATION_MS: fieldName(DEFAULT_EPISODE_FIELDS.durationMs),
  EPISODE_FIELD_TITLE: fieldName(DEFAULT_EPISODE_FIELDS.title),
  EPISODE_FIELD_SHOW: fieldName(DEFAULT_EPISODE_FIELDS.show),
  EPISODE_FIELD_IMAGE_URL: fieldName(DEFAULT_EPISODE_FIELDS.imageUrl),
  FFMPEG_PATH: z.string().optional(),
  FFMPEG_TIMEOUT_MARGIN_MS: integer(0, 60_000, 3000),
  SOURCE_HOST_ALLOWLIST: z
    .string()
    .transform((value, ctx) => {
      const { hosts, problems } = parseHostAllowlist(value);
      for (const message of problems) ctx.addIssue({ code: "custom", message });
      return hosts;
    })
    .default([]),
  SOURCE_MAX_BYTES: integer(1, 2 ** 50, DEFAULT_SOURCE_MAX_BYTES),
  // CloudWatch drops a whole EMF line whose namespace it rejects, so a bad one must fail at cold start instead.
  METRICS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._#:/-]{1,255}$/, "must be a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :)")
    .refine((v) => !v.startsWith("AWS/"), "must not start with AWS/ (reserved for AWS services)")
    .default(DEFAULT_METRICS_NAMESPACE),
});

type Settings = z.output<typeof settingsSchema>;

export const KNOWN = new Set(Object.keys(settingsSchema.shape));

/**
 * The environment holds many variables that are not ours (PATH, AWS_*, S3_ACCESS_KEY_ID of the local
 * services...), so strictness applies to the prefixes only this origin uses: a misspelt
 * `EPISODE_FEILD_ID` or `CLIPS_BUCKETS` fails loudly instead of silently falling back to a default.
 */
const OWN_PREFIXES = [
  "EPISODE_",
  "CLIPS_",
  "ORIGIN_SECRET",
  "PRESIGN_",
  "RAW_BUCKET",
  "MIN_CLIP",
  "MAX_CLIP",
  "FFMPEG_PATH",
  "FFMPEG_TIMEOUT",
  "SOURCE_",
  "METRICS_",
];

export function ownSettings(env: Record<string, string | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // An empty variable is how deploy tools spell "unset"; treating it as absent gives the clearer message.
    if (value === undefined || value === "") continue;
    if (KNOWN.has(key) || OWN_PREFIXES.some((p) => key.startsWith(p))) picked[key] = value;
  }
  return picked;
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${key}: unknown setting (known: ${[...KNOWN].sort().join(", ")})`);
  }
  const key = String(issue.path[0] ?? "configuration");
  return [`${key}: ${issue.message}`];
}

/** Cross-setting rules, checked on the raw values so they are reported along with every other problem. */
function crossProblems(raw: Record<string, string>): string[] {
  const min = /^[0-9]+$/.test(raw.MIN_CLIP_MS ?? "1000") ? Number(raw.MIN_CLIP_MS ?? 1000) : undefined;
  const max = /^[0-9]+$/.test(raw.MAX_CLIP_MS ?? "300000") ? Number(raw.MAX_CLIP_MS ?? 300_000) : undefined;
  if (min === undefined || max === undefined || min < 1) return [];
  try {
    validateLimits({ minClipMs: min, maxClipMs: max });
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

export function parsed<S extends z.ZodType>(schema: S, raw: Record<string, string>, extra: string[], what?: string) {
  const result = schema.safeParse(raw);
  const problems = [...(result.success ? [] : result.error.issues.flatMap(describe)), ...extra];
  if (!result.success || problems.length > 0) throw new ConfigError(problems, what);
  return result.data as z.output<S>;
}

/** Local S3 servers on an IP address or localhost cannot do virtual-hosted buckets: path style by default there. */
export function defaultPathStyle(endpoint: string | undefined, forcePathStyle: boolean | undefined): boolean {
  return forcePathStyle ?? endpoint !== undefined;
}

/** Reads and checks every setting; throws one ConfigError listing every problem, each naming its setting. */
export function loadConfig(env: Record<string, string | undefined>): OriginConfig {
  const raw = ownSettings(env);
  const s: Settings = parsed(settingsSchema, raw, crossProblems(raw));
  const limits = { minClipMs: s.MIN_CLIP_MS, maxClipMs: s.MAX_CLIP_MS };
  return {
    mongodbUri: s.MONGODB_URI,
    mongodbDb: s.MONGODB_DB,
    mongoServerSelectionTimeoutMs: s.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    rawBucket: s.RAW_BUCKET,
    clipsBucket: s.CLIPS_BUCKET,
    s3Endpoint: s.S3_ENDPOINT,
    s3ForcePathStyle: defaultPathStyle(s.S3_ENDPOINT, s.S3_FORCE_PATH_STYLE),
    region: s.AWS_REGION,
    originSecrets: s.ORIGIN_SECRET,
    limits,
    presignExpiresS: s.PRESIGN_EXPIRES_S,
    collections: collectionsOf(s),
    episodeFields: episodeFieldsOf(s),
    ffmpegPath: s.FFMPEG_PATH,
    ffmpegTimeoutMarginMs: s.FFMPEG_TIMEOUT_MARGIN_MS,
    sourceHostAllowlist: s.SOURCE_HOST_ALLOWLIST,
    sourceMaxBytes: s.SOURCE_MAX_BYTES,
    metricsNamespace: s.METRICS_NAMESPACE,
  };
}

/** The collections' names, as both the origin and the operator commands read them. */
export function collectionsOf(s: {
  EPISODE_COLLECTION: string;
  CLIPS_COLLECTION: string;
  SEEK_INDEX_COLLECTION: string;
}): OriginConfig["collections"] {
  return { episodes: s.EPISODE_COLLECTION, clips: s.CLIPS_COLLECTION, seekIndexes: s.SEEK_INDEX_COLLECTION };
}

/** The catalog's field names, as both the origin and the operator commands read them. */
export function episodeFieldsOf(s: {
  EPISODE_FIELD_ID: string;
  EPISODE_FIELD_AUDIO_URL: string;
  EPISODE_FIELD_DURATION_MS: string;
  EPISODE_FIELD_TITLE: string;
  EPISODE_FIELD_SHOW: string;
  EPISODE_FIELD_IMAGE_URL: string;
}): OriginConfig["episodeFields"] {
  return {
    id: s.EPISODE_FIELD_ID,
    audioUrl: s.EPISODE_FIELD_AUDIO_URL,
    durationMs: s.EPISODE_FIELD_DURATION_MS,
    title: s.EPISODE_FIELD_TITLE,
    show: s.EPISODE_FIELD_SHOW,
    imageUrl: s.EPISODE_FIELD_IMAGE_URL,
  };
}
