import { ClipError } from "../../core/index.js";

/**
 * The episode's audio is not where the catalog says. The client learns that much; where it was looked for
 * (bucket and key, or host and path) is the operator's, so it goes to the log line as the detail.
 */
export function sourceMissing(location: string): ClipError {
  return new ClipError("not_found", "The episode's audio was not found in storage", {
    detail: `Source audio not found: ${location}`,
  });
}
