import { redactUrls } from "./ffmpeg-failure.js";

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

/** The chain of causes of an error, for operators: messages only, no stacks. */
export function causeChain(err: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    parts.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(" <- ") : undefined;
}
