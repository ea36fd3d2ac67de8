// `npm run episodes -- add <file|https-url> --id <id> [--title T] [--show S] [--image-url URL] | list | remove <id>`
// Talks to the running `npm start` stack by default, or to MONGODB_URI and S3 when set.
import { runCommand, UsageError } from "./cli/run-command.js";
import { addEpisode, listEpisodes, removeEpisode } from "./episodes/commands.js";
import { episodesTarget } from "./episodes/target.js";

const USAGE = `usage:
  npm run episodes -- add <file|https-url> --id <episode_id> [--title "Title"] [--show "Show"] [--image-url https://…/cover.jpg]
  npm run episodes -- list
  npm run episodes -- remove <episode_id>`;

await runCommand({
  name: "episodes",
  usage: USAGE,
  options: {
    id: { type: "string" },
    title: { type: "string" },
    show: { type: "string" },
    "image-url": { type: "string" },
  },
  async run({ values, positionals }) {
    const [command, arg, ...extra] = positionals;
    const valid =
      (command === "add" && arg !== undefined && values.id !== undefined && extra.length === 0) ||
      (command === "list" && arg === undefined) ||
      (command === "remove" && arg !== undefined && extra.length === 0);
    if (!valid) throw new UsageError();
    const log = (line: string) => console.error(line);
    const target = await episodesTarget(process.env);
    try {
      log(`catalog: ${target.describe}`);
      if (command === "add")
        await addEpisode(
          target,
          arg as string,
          { id: values.id as string, title: values.title, show: values.show, imageUrl: values["image-url"] },
          log,
        );
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
  },
});
