// `npm run episodes add | list | remove`, on the catalog's configured collection and field names.
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { parseEpisodeId } from "../../core/index.js";
import { readPath } from "../../origin/catalog/episode-catalog.js";
import { withCatalog } from "../catalog/db-setup.js";
import { registerEpisode } from "../catalog/register-episode.js";
import { cloudflareFromEnv, purgeEpisode } from "./purge.js";
import type { EpisodesTarget } from "./target.js";

export type { Log } from "./purge.js";
import type { Log } from "./purge.js";

export async function addEpisode(
  target: EpisodesTarget,
  source: string,
  opts: { id: string; title?: string | undefined; show?: string | undefined; imageUrl?: string | undefined },
  log: Log,
): Promise<void> {
  const registered = await withCatalog(target.db, (db) =>
    registerEpisode(target, db, { ...opts, source, showProgress: true, log }),
  );
  log(`episode ${registered.id} → ${registered.audioUrl} (${registered.durationMs} ms)`);
}

export interface EpisodeRow {
  id: string;
  durationMs: number;
  title: string;
  audioUrl: string;
}

export async function listEpisodes(target: EpisodesTarget): Promise<EpisodeRow[]> {
  const { names, fields } = target.db;
  return withCatalog(target.db, async (db) =>
    (
      await db
        .collection(names.episodes)
        .find()
        .sort({ [fields.id]: 1 })
        .toArray()
    ).map((doc) => ({
      id: String(readPath(doc, fields.id)),
      durationMs: Number(readPath(doc, fields.durationMs)),
      title: String(readPath(doc, fields.title) ?? ""),
      audioUrl: String(readPath(doc, fields.audioUrl)),
    })),
  );
}

/** Removes an episode and everything made from it (see purge.ts), then its raw audio and catalog entry. */
export async function removeEpisode(target: EpisodesTarget, rawId: string, log: Log): Promise<void> {
  const id = parseEpisodeId(rawId);
  const { names, fields } = target.db;
  await withCatalog(target.db, async (db) => {
    const episode = await db.collection(names.episodes).findOne({ [fields.id]: id });
    if (!episode) throw new Error(`no episode ${id}`);
    await purgeEpisode(target, db, id, log, cloudflareFromEnv(process.env));
    const audio = String(readPath(episode, fields.audioUrl) ?? "");
    const ours = `s3://${target.rawBucket}/episodes/${id}/`;
    if (audio.startsWith(ours)) {
      await target.s3.send(
        new DeleteObjectCommand({ Bucket: target.rawBucket, Key: audio.slice(`s3://${target.rawBucket}/`.length) }),
      );
      log(`removed ${audio}`);
    }
    await db.collection(names.episodes).deleteOne({ [fields.id]: id });
    log(`removed episode ${id}`);
  });
}
