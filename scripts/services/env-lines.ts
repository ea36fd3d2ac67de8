import type { LocalServicesInfo } from "./local-services.js";

/** Buckets every local setup creates (the origin's RAW_BUCKET and CLIPS_BUCKET). */
export const LOCAL_BUCKETS = { raw: "edgeclip-raw", clips: "edgeclip-clips" } as const;

/** Env lines for the origin and the scripts; AWS_* are what the AWS SDK's default credential chain reads. */
export function envLines(info: LocalServicesInfo, dbName: string): string[] {
  return [
    `MONGODB_URI=${info.mongodbUri}`,
    `MONGODB_DB=${dbName}`,
    `S3_ENDPOINT=${info.s3.endpoint}`,
    `S3_REGION=${info.s3.region}`,
    `S3_ACCESS_KEY_ID=${info.s3.accessKeyId}`,
    `S3_SECRET_ACCESS_KEY=${info.s3.secretAccessKey}`,
    `S3_FORCE_PATH_STYLE=${info.s3.forcePathStyle}`,
    `AWS_REGION=${info.s3.region}`,
    `AWS_ACCESS_KEY_ID=${info.s3.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${info.s3.secretAccessKey}`,
    `RAW_BUCKET=${LOCAL_BUCKETS.raw}`,
    `CLIPS_BUCKET=${LOCAL_BUCKETS.clips}`,
  ];
}
