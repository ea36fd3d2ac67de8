// `npm run episodes -- add <file|https-url> --id <id> [--title T] | list | remove <id>`
// Talks to the running `npm start` stack by default, or to MONGODB_URI and S3 when set.
import { parseArgs } from "node:util";
import { ClipError } from "../core/index.js";
import { addEpisode, listEpisodes, removeEpisode } from "./episodes/commands.js";
import { episodesTarget } from "./episodes/target.js";

const USAGE = `usage:
  npm run episodes -- add <file|https-url> --id <episode_id> [--title "Title"]
  npm run episodes -- list
  npm run episodes -- remove <episode_id>`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { id: { type: "string" }, title: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, arg, ...extra] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const valid =
    (command === "add" && arg !== undefined && values.id !== undefined && extra.length === 0) ||
    (command === "list" && arg === undefined) ||
    (command === "remove" && arg !== undefined && extra.length === 0);
  if (!valid) {
    console.error(USAGE);
    return 2;
  }
  const log = (line: string) => console.error(line);
  try {
    const target = await episodesTarget(process.env);
    try {
      log(`catalog: ${target.describe}`);
      if (command === "add")
        await addEpisode(target, arg as string, { id: values.id as string, title: values.title }, log);
      if (command === "remove") await removeEpisode(target, arg as string, log);
      if (command === "list") {
        const rows = await listEpisodes(target);
        console.log(["id", "duration", "title", "audio"].join("\t"));
        for (const r of rows)
          console.log([r.id, `${(r.durationMs / 1000).toFixed(1)} s`, r.title, r.audioUrl].join("\t"));
      }
    } finally {
      target.s3.destroy();
    }
    return 0;
  } catch (err) {
    console.error(`episodes: ${err instanceof ClipError || err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main();
