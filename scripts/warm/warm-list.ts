// Parses what `npm run warm` reads: clip URLs (absolute, or a path on the edge) or
// `episode_id start_ms duration_ms` lines; blank lines and `#` comments are skipped.
import { canonicalPath, clipPath, ClipError, parseClipUrl, type ClipRequest } from "../../core/index.js";

export interface WarmItem {
  line: number;
  request: ClipRequest;
  /** The canonical path and query: the same cache key a player's request ends up with. */
  path: string;
}

/**
 * Every line is checked before anything is requested, so a typo on line 900 does not leave a half-warmed
 * list; duplicates (in any spelling) are warmed once.
 */
export function parseWarmList(text: string): { items: WarmItem[]; errors: string[] } {
  const items: WarmItem[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const request = parseLine(line);
      const path = canonicalPath(request);
      if (seen.has(path)) continue;
      seen.add(path);
      items.push({ line: i + 1, request, path });
    } catch (err) {
      errors.push(
        `line ${i + 1}: ${err instanceof Error ? err.message : String(err)} (${JSON.stringify(line.slice(0, 80))})`,
      );
    }
  }
  return { items, errors };
}

function parseLine(line: string): ClipRequest {
  const fields = line.split(/\s+/);
  if (fields.length === 3) {
    const [episode, start, duration] = fields as [string, string, string];
    return parseClipUrl(new URL(clipPath(episode, { start_time_ms: start, duration_ms: duration }), "http://edge"));
  }
  if (fields.length === 1) {
    let url: URL;
    try {
      url = new URL(line, "http://edge");
    } catch {
      throw new ClipError("invalid_path", "not a URL");
    }
    return parseClipUrl(url);
  }
  throw new ClipError("invalid_path", "expected a clip URL or `episode_id start_ms duration_ms`");
}
