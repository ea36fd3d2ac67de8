import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { MongoClient } from "mongodb";
import { afterAll, inject } from "vitest";
import { s3ClientConfig } from "../../../scripts/services/local-services.js";

/** A script test's own view of the shared test servers, to set up and check what a command did. */
export interface TestClients {
  s3: S3Client;
  mongo: MongoClient;
  /** Whether the object exists. */
  exists(bucket: string, key: string): Promise<boolean>;
}

/** Clients of the shared servers; after the file they are closed and the test's databases dropped. */
export function testClients(dbNames: readonly string[]): TestClients {
  const services = inject("services");
  // One attempt: a stopped server shows at once.
  const s3 = new S3Client({ ...s3ClientConfig(services.s3), maxAttempts: 1 });
  const mongo = new MongoClient(services.mongodbUri);
  afterAll(async () => {
    for (const name of dbNames) {
      await mongo
        .db(name)
        .dropDatabase()
        .catch(() => {});
    }
    await mongo.close();
    s3.destroy();
  });
  return {
    s3,
    mongo,
    exists: (bucket, key) =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
        () => true,
        () => false,
      ),
  };
}
