// The limit row of `npm run bench` (#15): the least any design must do for a miss, on the same servers and
// clients as the origin in the same run: one catalog read, one ranged GET of exactly the clip's bytes, one PUT
// of them. Nothing else (no store check, no index, no record, no cut): edgeclip's miss is printed as a ratio to it.
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { EpisodeCatalog, isHttpsLocation } from "../../origin/catalog/episode-catalog.js";
import { createClients, type OriginClients, type S3Credentials } from "../../origin/config/clients.js";
import type { OriginConfig } from "../../origin/config/config.js";

/** One limit miss, each of its three operations timed. */
export interface LimitSample {
  total_ms: number;
  catalog_ms: number;
  get_ms: number;
  put_ms: number;
}

export interface LimitRunner {
  /** `offset`/`length`: where in the source the clip's bytes are, as the edgeclip cut of this case read them. */
  miss(episodeId: string, offset: number, length: number, putKey: string): Promise<LimitSample>;
  close(): Promise<void>;
}

/** The origin's own clients (same S3 endpoint, same MongoDB, same pools), without the origin. */
export function limitRunner(config: OriginConfig, s3Credentials: S3Credentials): LimitRunner {
  const clients: OriginClients = createClients(config, { s3Credentials });
  const catalog = new EpisodeCatalog(clients.mongo().db(config.mongodbDb), {
    collections: config.collections,
    fields: config.episodeFields,
    rawBucket: config.rawBucket,
    hosts: "bench",
    selectionTimeoutMs: config.mongoServerSelectionTimeoutMs,
  });
  return {
    async miss(episodeId, offset, length, putKey) {
      const t0 = performance.now();
      const episode = await catalog.find(episodeId);
      if (!episode || isHttpsLocation(episode.audio)) throw new Error(`limit: no S3 episode ${episodeId}`);
      const t1 = performance.now();
      const out = await clients.s3().send(
        new GetObjectCommand({
          Bucket: episode.audio.bucket,
          Key: episode.audio.key,
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      const bytes = await out.Body!.transformToByteArray();
      if (bytes.length !== length) throw new Error(`limit: asked for ${length} bytes, got ${bytes.length}`);
      const t2 = performance.now();
      await clients.s3().send(
        new PutObjectCommand({
          Bucket: config.clipsBucket,
          Key: putKey,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: "audio/mpeg",
        }),
      );
      const t3 = performance.now();
      return { total_ms: t3 - t0, catalog_ms: t1 - t0, get_ms: t2 - t1, put_ms: t3 - t2 };
    },
    close: () => clients.close(),
  };
}
