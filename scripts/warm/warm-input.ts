// Where `npm run warm` gets its clips: a list (file or standard input) or the popularity ranking.
import { readFile } from "node:fs/promises";
import { withCatalog } from "../catalog/db-setup.js";
import { popularClips, popularTarget } from "./popular.js";
import { parseWarmList, type WarmItem } from "./warm-list.js";

/** The clips to warm and how many records were skipped, or the exit code when there is nothing to do. */
export type WarmInput = { items: WarmItem[]; skipped: number } | { exitCode: number };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function readItems(source: string): Promise<WarmInput> {
  let text: string;
  try {
    text = source === "-" ? await readStdin() : await readFile(source, "utf8");
  } catch (err) {
    console.error(`warm: cannot read ${source}: ${(err as Error).message}`);
    return { exitCode: 2 };
  }
  const { items, errors } = parseWarmList(text);
  if (errors.length > 0) {
    console.error(`warm: nothing requested, ${errors.length} bad line(s):\n${errors.slice(0, 20).join("\n")}`);
    return { exitCode: 2 };
  }
  return { items, skipped: 0 };
}

/** The top `count` clips by request_count; records that are not a clip request are reported, not warmed. */
export async function readPopular(count: number): Promise<WarmInput> {
  try {
    const { target, describe } = await popularTarget(process.env);
    const { items, errors } = await withCatalog(target, (db) => popularClips(db, target.names.clips, count));
    const counts = items.map((i) => i.requestCount);
    console.error(
      `ranking: ${target.dbName}.${target.names.clips} at ${describe}: ` +
        (items.length === 0 && errors.length === 0
          ? "no clip has a request count yet"
          : `${items.length + errors.length} of the ${count} asked for` +
            (counts.length > 0 ? `, origin requests ${counts[0]} down to ${counts.at(-1)}` : "")),
    );
    for (const error of errors) console.error(`warm: skipped ${error}`);
    return { items, skipped: errors.length };
  } catch (err) {
    console.error(`warm: cannot read the ranking: ${(err as Error).message}`);
    return { exitCode: 1 };
  }
}
