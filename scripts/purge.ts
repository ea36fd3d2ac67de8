// `npm run purge -- <episode_id>`: after an episode's audio is re-uploaded, removes every clip made from
// the old audio (S3, R2, edge cache, audio_clips) and its seek index, so the next requests cut new ones.
// Talks to the running `npm start` stack, or to MONGODB_URI and S3 (plus CLOUDFLARE_* for a deployed edge).
import { parseEpisodeId } from "../core/index.js";
import { withCatalog } from "./catalog/db-setup.js";
import { runCommand, UsageError } from "./cli/run-command.js";
import { cloudflareFromEnv, purgeEpisode } from "./episodes/purge.js";
import { episodesTarget } from "./episodes/target.js";

const USAGE = "usage: npm run purge -- <episode_id>";

await runCommand({
  name: "purge",
  usage: USAGE,
  options: {},
  async run({ positionals }) {
    if (positionals.length !== 1) throw new UsageError();
    const log = (line: string) => console.error(line);
    // Before connecting anywhere: a bad id must change nothing.
    const id = parseEpisodeId(positionals[0] as string);
    const target = await episodesTarget(process.env);
    try {
      log(`catalog: ${target.describe}`);
      await withCatalog(target.db, async (db) => {
        const known = await db
          .collection(target.db.names.episodes)
          .countDocuments({ [target.db.names.episodeIdField]: id });
        if (known === 0) log(`note: no episode ${id} in the catalog; purging what is left under its id anyway`);
        const report = await purgeEpisode(target, db, id, log, cloudflareFromEnv(process.env));
        console.log(
          `purged ${id}: ${report.clipObjects} clip object(s), seek index, R2 ${report.r2}, edge cache ${report.edgeCache}, ` +
            `${report.records} record(s)`,
        );
      });
    } finally {
      target.s3.destroy();
    }
  },
});
