import { defaultPathStyle, parsed, settingsSchema, type OriginConfig } from "./config.js";

/** Where S3 is: the part of the origin's settings that operator commands need to reach the same buckets. */
export type S3EndpointConfig = Pick<OriginConfig, "s3Endpoint" | "s3ForcePathStyle" | "region">;

const s3Schema = settingsSchema.pick({ S3_ENDPOINT: true, S3_FORCE_PATH_STYLE: true, AWS_REGION: true });

/**
 * S3_ENDPOINT, S3_FORCE_PATH_STYLE and the region, read with the origin's own rules (S3_REGION, which the
 * local stack's env lines print, wins over AWS_REGION). Throws ConfigError naming every bad setting.
 */
export function loadS3EndpointConfig(env: Record<string, string | undefined>): S3EndpointConfig {
  const raw: Record<string, string> = {};
  const region = env.S3_REGION || env.AWS_REGION;
  if (env.S3_ENDPOINT) raw.S3_ENDPOINT = env.S3_ENDPOINT;
  if (env.S3_FORCE_PATH_STYLE) raw.S3_FORCE_PATH_STYLE = env.S3_FORCE_PATH_STYLE;
  if (region) raw.AWS_REGION = region;
  const s = parsed(s3Schema, raw, [], "S3 settings");
  return {
    s3Endpoint: s.S3_ENDPOINT,
    s3ForcePathStyle: defaultPathStyle(s.S3_ENDPOINT, s.S3_FORCE_PATH_STYLE),
    region: s.AWS_REGION,
  };
}
