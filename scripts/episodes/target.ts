import { S3Client } from "@aws-sdk/client-s3";
import { dbSetupTargetFromEnv, type DbSetupTarget } from "../catalog/db-setup.js";
import { s3ClientConfig, s3SettingsFromEnv } from "../services/local-services.js";
import { readLocalStack, type LocalStackInfo } from "../stack/published-stack.js";

export { readLocalStack, type LocalStackInfo } from "../stack/published-stack.js";

export interface EpisodesTarget {
  db: DbSetupTarget;
  s3: S3Client;
  rawBucket: string;
  clipsBucket: string;
  /** Set when talking to a running `npm start`: its local R2 mirror can be cleaned too. */
  edgeState: string | undefined;
  describe: string;
}

/**
 * The catalog database alone: MONGODB_URI (with MONGODB_DB) when set, else the running local stack's (returned
 * too, for its other settings); undefined when there is neither.
 */
export async function catalogTarget(
  env: NodeJS.ProcessEnv,
): Promise<{ db: DbSetupTarget; local: LocalStackInfo | undefined } | undefined> {
  if (env.MONGODB_URI) return { db: dbSetupTargetFromEnv(env), local: undefined };
  const local = await readLocalStack(env);
  if (!local) return undefined;
  return { db: dbSetupTargetFromEnv({ ...env, MONGODB_URI: local.mongodbUri, MONGODB_DB: local.mongodbDb }), local };
}

/**
 * Environment first (a real deployment: MONGODB_URI, and S3_ENDPOINT or the AWS credential chain),
 * else the running local stack.
 */
export async function episodesTarget(env: NodeJS.ProcessEnv): Promise<EpisodesTarget> {
  const catalog = await catalogTarget(env);
  if (!catalog) {
    throw new Error(
      "No catalog to talk to: start the local stack with `npm start` (in another terminal), " +
        "or set MONGODB_URI (and S3_ENDPOINT or AWS credentials) for a real deployment.",
    );
  }
  const { db, local } = catalog;
  if (!local) {
    const s3 = s3SettingsFromEnv(env);
    return {
      db,
      s3: new S3Client(s3 ? s3ClientConfig(s3) : {}),
      rawBucket: db.buckets.raw,
      clipsBucket: db.buckets.clips,
      edgeState: undefined,
      describe: s3 ? `MONGODB_URI and S3_ENDPOINT=${s3.endpoint}` : "MONGODB_URI and AWS S3",
    };
  }
  return {
    db,
    s3: new S3Client(s3ClientConfig(local.s3)),
    rawBucket: local.rawBucket,
    clipsBucket: local.clipsBucket,
    edgeState: local.edgeState,
    describe: "the local stack of `npm start`",
  };
}
