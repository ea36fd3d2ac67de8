// `npm run sign-url -- <clip-url-or-path> [--expires-in 7d] [--key-id ID] [--base https://edge.example]`
// Prints a signed edge URL for the application that embeds clips. Keys come from URL_SIGNING_KEYS,
// the same "id:secret,…" value given to the Worker with `wrangler secret put URL_SIGNING_KEYS`.
import { parseClipUrl, parseUrlSigningKeys, signClipUrl } from "../core/index.js";
import { runCommand, UsageError } from "./cli/run-command.js";

const USAGE = `usage: npm run sign-url -- <clip-url-or-path> [--expires-in 7d|12h|30m|3600s] [--key-id ID] [--base URL]
  URL_SIGNING_KEYS must hold the Worker's keys ("id1:secret1,id2:secret2"); the first key signs by default.`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function seconds(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new Error(`--expires-in must look like 3600s, 30m, 12h or 7d (got ${JSON.stringify(value)})`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

await runCommand({
  name: "sign-url",
  usage: USAGE,
  options: {
    "expires-in": { type: "string", default: "7d" },
    "key-id": { type: "string" },
    base: { type: "string" },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError();
    if (!process.env.URL_SIGNING_KEYS) {
      throw new Error('URL_SIGNING_KEYS is not set: give it the Worker\'s keys, e.g. URL_SIGNING_KEYS="k1:<secret>"');
    }
    const keys = parseUrlSigningKeys(process.env.URL_SIGNING_KEYS);
    const key = values["key-id"] ? keys.find((k) => k.id === values["key-id"]) : keys[0];
    if (!key) throw new Error(`no key with id ${values["key-id"]} in URL_SIGNING_KEYS`);
    const input = new URL(positionals[0] as string, values.base ?? "http://127.0.0.1:8787");
    const base = values.base ?? input.origin;
    const request = parseClipUrl(input);
    const expiresAt = Math.floor(Date.now() / 1000) + seconds(values["expires-in"] ?? "7d");
    console.log(await signClipUrl(base, request, key, expiresAt));
  },
});
