import { sourceMissing } from "../sources/source-errors.js";
import { ClipError } from "../../core/index.js";

/**
 * Pre-signed URLs are bearer credentials; FFmpeg echoes its input URL in errors, so every query string
 * is cut from its output before it reaches a message or a log line.
 */
export function redactUrls(text: string): string {
  return text.replace(/(https?:\/\/[^\s?'"]+)\?[^\s'"]*/g, "$1?…");
}

/** The last lines worth showing (FFmpeg's verbose output ends with statistics, not the cause). */
function lastLines(stderr: string, count: number): string {
  return stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/Statistics:|^\[(AVIOContext|out#|aost|mp3 @)/.test(l))
    .slice(-count)
    .join(" | ");
}

/**
 * Maps a failed FFmpeg run to the error a client can act on, naming the source (never its signed URL).
 * `exit` is the exit code, or the signal that ended it (a crash), or null when neither is known.
 */
export function ffmpegFailure(exit: number | NodeJS.Signals | null, stderr: string, source: string): ClipError {
  const detail = lastLines(stderr, 3);
  if (/Server returned 404|404 Not Found/.test(stderr)) {
    return sourceMissing(source);
  }
  if (/Server returned 403|403 Forbidden/.test(stderr)) {
    return new ClipError(
      "internal",
      `S3 access denied: s3:GetObject on the source audio ${source} (a missing key also reads as denied ` +
        `without s3:ListBucket)`,
    );
  }
  if (
    /Connection refused|Connection timed out|Failed to resolve|Network is unreachable|No route to host/.test(stderr)
  ) {
    return new ClipError(
      "service_unavailable",
      `S3 unavailable: could not read the source audio ${source} (${detail})`,
      {},
    );
  }
  if (
    /Invalid data found|could not find codec parameters|matches no streams|does not contain any stream|Invalid frame|Header missing/.test(
      stderr,
    )
  ) {
    return new ClipError("unprocessable_source", `The source ${source} is not audio FFmpeg can cut (${detail})`);
  }
  const how = typeof exit === "string" ? `killed by ${exit}` : `exit ${exit ?? "unknown"}`;
  return new ClipError("internal", `FFmpeg failed (${how}) on ${source}${detail ? `: ${detail}` : ""}`);
}
