// `npm run db:setup`: creates the collections and indexes the origin needs in the MongoDB at MONGODB_URI.
// Safe to run any number of times.
import { dbSetupTargetFromEnv, runDbSetup } from "./catalog/db-setup.js";
import { runCommand } from "./cli/run-command.js";

await runCommand({
  name: "db:setup failed",
  usage:
    "usage: npm run db:setup   (reads MONGODB_URI, MONGODB_DB, EPISODE_COLLECTION, CLIPS_COLLECTION, SEEK_INDEX_COLLECTION, EPISODE_FIELD_ID)",
  options: {},
  async run() {
    await runDbSetup(dbSetupTargetFromEnv(process.env), (line) => console.log(line));
    console.log("db:setup done");
  },
});
