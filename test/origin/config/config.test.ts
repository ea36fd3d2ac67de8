import { describe, expect, it } from "vitest";
import { loadCatalogConfig } from "../../../origin/config/catalog-config.js";
import { ConfigError, loadConfig } from "../../../origin/config/config.js";

const minimal = {
  MONGODB_URI: "mongodb://db.internal:27017/",
  CLIPS_BUCKET: "edgeclip-clips",
  ORIGIN_SECRET: "0123456789abcdef0123",
};

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("origin configuration", () => {
  it("fills every documented default from the three required settings", () => {
    expect(loadConfig({ ...minimal, PATH: "/usr/bin", HOME: "/root" })).toEqual({
      mongodbUri: "mongodb://db.internal:27017/",
      mongodbDb: "edgeclip",
      mongoServerSelectionTimeoutMs: 3000,
      rawBucket: undefined,
      clipsBucket: "edgeclip-clips",
      s3Endpoint: undefined,
      s3ForcePathStyle: false,
      region: "us-east-1",
      originSecrets: ["0123456789abcdef0123"],
      limits: { minClipMs: 1000, maxClipMs: 300000 },
      presignExpiresS: 86400,
      collections: { episodes: "episodes", clips: "audio_clips", seekIndexes: "seek_indexes" },
      episodeFields: {
        id: "episode_id",
        audioUrl: "audio_url",
        durationMs: "duration_ms",
        title: "title",
        show: "show",
        imageUrl: "image_url",
      },
      ffmpegPath: undefined,
      ffmpegTimeoutMarginMs: 3000,
      sourceHostAllowlist: [],
      sourceMaxBytes: 2 * 1024 ** 3,
      metricsNamespace: "edgeclip",
    });
  });

  it("reads every setting", () => {
    const config = loadConfig({
      ...minimal,
      MONGODB_DB: "catalog",
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: "1500",
      RAW_BUCKET: "edgeclip-raw",
      S3_ENDPOINT: "http://127.0.0.1:7070",
      AWS_REGION: "eu-west-1",
      ORIGIN_SECRET: "new-secret-0123456789, old-secret-0123456789",
      MIN_CLIP_MS: "500",
      MAX_CLIP_MS: "60000",
      PRESIGN_EXPIRES_S: "3600",
      EPISODE_COLLECTION: "shows",
      CLIPS_COLLECTION: "clips",
      SEEK_INDEX_COLLECTION: "indexes",
      EPISODE_FIELD_ID: "guid",
      EPISODE_FIELD_AUDIO_URL: "enclosure.s3",
      EPISODE_FIELD_DURATION_MS: "length_ms",
      EPISODE_FIELD_TITLE: "meta.title",
      EPISODE_FIELD_SHOW: "title",
      FFMPEG_PATH: "/opt/bin/ffmpeg",
      FFMPEG_TIMEOUT_MARGIN_MS: "2000",
      METRICS_NAMESPACE: "edgeclip/prod",
    });
    expect(config).toMatchObject({
      mongodbDb: "catalog",
      rawBucket: "edgeclip-raw",
      s3Endpoint: "http://127.0.0.1:7070",
      // A custom endpoint implies path-style addressing unless told otherwise.
      s3ForcePathStyle: true,
      region: "eu-west-1",
      originSecrets: ["new-secret-0123456789", "old-secret-0123456789"],
      limits: { minClipMs: 500, maxClipMs: 60000 },
      presignExpiresS: 3600,
      collections: { episodes: "shows", clips: "clips", seekIndexes: "indexes" },
      episodeFields: {
        id: "guid",
        audioUrl: "enclosure.s3",
        durationMs: "length_ms",
        title: "meta.title",
        show: "title",
        imageUrl: "image_url",
      },
      ffmpegPath: "/opt/bin/ffmpeg",
      ffmpegTimeoutMarginMs: 2000,
      metricsNamespace: "edgeclip/prod",
    });
    expect(
      loadConfig({ ...minimal, S3_ENDPOINT: "http://s3.local", S3_FORCE_PATH_STYLE: "false" }).s3ForcePathStyle,
    ).toBe(false);
  });

  it("lists every problem in one error, each naming its setting", () => {
    const found = problems({
      MONGODB_URI: "postgres://x",
      CLIPS_BUCKET: "Clips_Bucket",
      ORIGIN_SECRET: "short",
      MAX_CLIP_MS: "5min",
      PRESIGN_EXPIRES_S: "999999999",
      S3_FORCE_PATH_STYLE: "yes",
      EPISODE_FIELD_ID: "$id",
      FFMPEG_TIMEOUT_MARGIN_MS: "-1",
    });
    expect(found.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining([
        "MONGODB_URI",
        "CLIPS_BUCKET",
        "ORIGIN_SECRET",
        "MAX_CLIP_MS",
        "PRESIGN_EXPIRES_S",
        "S3_FORCE_PATH_STYLE",
        "EPISODE_FIELD_ID",
        "FFMPEG_TIMEOUT_MARGIN_MS",
      ]),
    );
    expect(found).toHaveLength(8);
    expect(found).toContain("PRESIGN_EXPIRES_S: must be at most 604800");
  });

  it("names the required settings when they are missing or empty", () => {
    const found = problems({ MONGODB_URI: "", PATH: "/bin" });
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["CLIPS_BUCKET", "MONGODB_URI", "ORIGIN_SECRET"]);
    expect(found.every((p) => p.includes("required"))).toBe(true);
  });

  it("never echoes a setting's value (the URI may hold a password)", () => {
    const message = (() => {
      try {
        loadConfig({ ...minimal, MONGODB_URI: "mongodb//user:hunter2@db" });
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    })();
    expect(message).toContain("MONGODB_URI");
    expect(message).not.toContain("hunter2");
  });

  it("rejects a misspelt setting of ours instead of silently using a default", () => {
    expect(problems({ ...minimal, EPISODE_FEILD_ID: "guid", CLIPS_BUCKETS: "x" }).map((p) => p.split(":")[0])).toEqual([
      "EPISODE_FEILD_ID",
      "CLIPS_BUCKETS",
    ]);
  });

  it("refuses a METRICS_NAMESPACE CloudWatch would reject, and a misspelt METRICS_ setting", () => {
    expect(problems({ ...minimal, METRICS_NAMESPACE: "edge clip" })).toEqual([
      "METRICS_NAMESPACE: must be a CloudWatch namespace (1-255 of A-Z a-z 0-9 . - _ / # :)",
    ]);
    expect(problems({ ...minimal, METRICS_NAMESPACE: "AWS/Lambda" })).toEqual([
      "METRICS_NAMESPACE: must not start with AWS/ (reserved for AWS services)",
    ]);
    expect(problems({ ...minimal, METRICS_NAMESPCE: "edgeclip/dev" }).map((p) => p.split(":")[0])).toEqual([
      "METRICS_NAMESPCE",
    ]);
  });

  it("checks MIN_CLIP_MS against MAX_CLIP_MS, alongside the other problems", () => {
    const found = problems({ ...minimal, MIN_CLIP_MS: "5000", MAX_CLIP_MS: "2000", CLIPS_BUCKET: undefined });
    expect(found).toHaveLength(2);
    expect(found.join("\n")).toMatch(/MAX_CLIP_MS must be a whole number >= MIN_CLIP_MS/);
  });

  it("the error message lists each problem on its own line", () => {
    expect(() => loadConfig({})).toThrow(/^Invalid origin configuration \(3 problems\):\n {2}- /);
  });
});

describe("catalog settings for operator commands (loadCatalogConfig)", () => {
  const buckets = { raw: "local-raw", clips: "local-clips" };

  it("reads the catalog with the origin's defaults and the caller's buckets; the origin's other settings are not needed", () => {
    expect(loadCatalogConfig({ MONGODB_URI: minimal.MONGODB_URI, PATH: "/usr/bin" }, buckets)).toEqual({
      mongodbUri: minimal.MONGODB_URI,
      mongodbDb: "edgeclip",
      rawBucket: "local-raw",
      clipsBucket: "local-clips",
      collections: { episodes: "episodes", clips: "audio_clips", seekIndexes: "seek_indexes" },
      episodeFields: {
        id: "episode_id",
        audioUrl: "audio_url",
        durationMs: "duration_ms",
        title: "title",
        show: "show",
        imageUrl: "image_url",
      },
    });
  });

  it("agrees with the origin on a mapped catalog, and ignores the origin-only settings", () => {
    const env = {
      ...minimal,
      RAW_BUCKET: "podcast-audio",
      EPISODE_COLLECTION: "shows",
      EPISODE_FIELD_ID: "guid",
      EPISODE_FIELD_AUDIO_URL: "enclosure.s3",
      EPISODE_FIELD_DURATION_MS: "enclosure.length_ms",
      PRESIGN_EXPIRES_S: "600",
    };
    const origin = loadConfig(env);
    const catalog = loadCatalogConfig(env, buckets);
    expect(catalog.episodeFields).toEqual(origin.episodeFields);
    expect(catalog.collections).toEqual(origin.collections);
    expect([catalog.rawBucket, catalog.clipsBucket]).toEqual(["podcast-audio", "edgeclip-clips"]);
  });

  it("fails on what the origin would refuse, misspellings of its prefixes included, naming each setting", () => {
    let error: unknown;
    try {
      loadCatalogConfig(
        { MONGODB_URI: "postgres://x", EPISODE_FEILD_ID: "guid", EPISODE_FIELD_AUDIO_URL: "$where" },
        buckets,
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^Invalid catalog settings \(3 problems\):/);
    expect((error as ConfigError).problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "EPISODE_FEILD_ID",
      "EPISODE_FIELD_AUDIO_URL",
      "MONGODB_URI",
    ]);
  });
});
