// `npm run purge -- <episode_id>`: after an episode's audio is re-uploaded, removes every clip made from
// the old audio (S3, R2, edge cache, audio_clips) and its seek index, so the next requests cut new ones.
// Talks to the running `npm start` stack, or to MONGODB_URI and S3 (plus CLOUDFLARE_* for a deployed edge).
import { MongoClient } from "mongodb";
import { ClipError, parseEpisodeId } from "../core/index.js";
import { cloudflareFromEnv, purgeEpisode } from "./episodes/purge.js";
import { episodesTarget } from "./episodes/target.js";

const USAGE = "usage: npm run purge -- <episode_id>";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0]?.startsWith("-")) {
    console.error(USAGE);
    return 2;
  }
  const log = (line: string) => console.error(line);
  try {
    // Before connecting anywhere: a bad id must change nothing.
    const id = parseEpisodeId(args[0] as string);
    const target = await episodesTarget(process.env);
    const mongo = new MongoClient(target.db.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      log(`catalog: ${target.describe}`);
      const db = mongo.db(target.db.dbName);
      const known = await db
        .collection(target.db.names.episodes)
        .countDocuments({ [target.db.names.episodeIdField]: id });
      if (known === 0) log(`note: no episode ${id} in the catalog; purging what is left under its id anyway`);
      const report = await purgeEpisode(target, db, id, log, cloudflareFromEnv(process.env));
      console.log(
        `purged ${id}: ${report.clipObjects} clip object(s), seek index, R2 ${report.r2}, edge cache ${report.edgeCache}, ` +
          `${report.records} record(s)`,
      );
    } finally {
      await mongo.close();
      target.s3.destroy();
    }
    return 0;
  } catch (err) {
    console.error(`purge: ${err instanceof ClipError || err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main();
