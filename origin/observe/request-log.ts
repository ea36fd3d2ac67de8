import { redactUrls } from "../cut/ffmpeg-failure.js";

export type LogSink = (line: string) => void;

/** Lambda sends stdout to CloudWatch Logs; one JSON object per line is what Logs Insights parses. */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Writes one structured line. Fields are chosen by the callers (never headers, which carry the origin
 * signature), and every string is stripped of URL query strings, which could hold pre-signed credentials.
 */
export function writeLog(sink: LogSink, fields: Record<string, unknown>): void {
  sink(JSON.stringify(fields, (_key, value: unknown) => (typeof value === "string" ? redactUrls(value) : value)));
}

const EDGE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Worker's request id (its `x-request-id` header), to join its log line with ours. The header is not
 * covered by the origin signature, so anyone may send anything: only a plain token is kept, whole, and
 * anything else is dropped rather than cleaned, so a crafted value cannot forge or split a log line.
 */
export function edgeRequestId(header: string | undefined): string | undefined {
  return header !== undefined && EDGE_REQUEST_ID.test(header) ? header : undefined;
}
