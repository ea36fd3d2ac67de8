import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import type { Db } from "mongodb";
import { BUCKETS, seedEpisode, testS3 } from "./harness.js";

/** The source fault tests break and repair an episode's object in place: these write and check it. */
export async function putRaw(key: string, body: Uint8Array | string): Promise<void> {
  await testS3.send(new PutObjectCommand({ Bucket: BUCKETS.raw, Key: key, Body: body }));
}

/** An episode whose audio is `key` in the raw bucket (not uploaded yet: the test decides what goes there). */
export async function newRawEpisode(db: Db, ext: string, durationMs: number): Promise<{ id: string; key: string }> {
  const key = `faults/${randomUUID()}.${ext}`;
  const id = await seedEpisode(db, { audioUrl: `s3://${BUCKETS.raw}/${key}`, durationMs });
  return { id, key };
}

export const objectExists = (bucket: string, key: string): Promise<boolean> =>
  testS3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );
