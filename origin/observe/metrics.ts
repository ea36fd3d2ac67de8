import { ERROR_STATUS } from "../../core/index.js";

/**
 * CloudWatch Embedded Metric Format for the origin's one log line per request: CloudWatch Logs extracts the
 * metrics from the line itself, so there is no metrics client, no extra API call and no second line.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

export type MetricUnit = "Milliseconds" | "Count" | "Bytes";

export interface MetricDefinition {
  Name: string;
  Unit: MetricUnit;
}

export interface MetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: MetricDefinition[];
}

export interface EmfMetadata {
  Timestamp: number;
  CloudWatchMetrics: MetricDirective[];
}

/** What the metrics add to a log line: the metadata, and the members it names (values and dimensions). */
export interface EmfMembers {
  _aws: EmfMetadata;
  [member: string]: string | number | EmfMetadata;
}

export const METRIC_UNITS = {
  RequestTime: "Milliseconds",
  GenerationTime: "Milliseconds",
  Hit: "Count",
  Miss: "Count",
  Errors: "Count",
  SourceBytesRead: "Bytes",
  ClipBytes: "Bytes",
} as const satisfies Record<string, MetricUnit>;

export type MetricName = keyof typeof METRIC_UNITS;

/** The default when METRICS_NAMESPACE is unset (serverless.yml sets `edgeclip/<stage>`). */
export const DEFAULT_METRICS_NAMESPACE = "edgeclip";

const OUTCOMES = new Set(["hit", "generated", "error"]);

const count = (yes: boolean) => (yes ? 1 : 0);
const asNumber = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

const define = (names: readonly MetricName[]): MetricDefinition[] =>
  names.map((name) => ({ Name: name, Unit: METRIC_UNITS[name] }));

/**
 * The EMF members for one request's log fields (`outcome`, `code`, `duration_ms`, `generation_time_ms`,
 * `source_bytes_read`, `clip_bytes`), or undefined for a line that is not a finished request.
 *
 * Dimensions are kept to a few fixed values, since every combination is a billed custom metric:
 * - no dimension: every metric, the service-wide view (Average of Hit is the hit ratio of served clips);
 * - Outcome (hit, generated, error): RequestTime, so a slow cut does not hide behind fast hits;
 * - ErrorCode (one of core's error codes, on errors only): Errors, so 4xx noise and 5xx trouble separate.
 * Hit and Miss are recorded for answered clips only; an error is neither, and counts in Errors.
 */
export function emfMembers(
  fields: Record<string, unknown>,
  namespace: string,
  timestamp: number,
): EmfMembers | undefined {
  const outcome = fields.outcome;
  const requestTime = asNumber(fields.duration_ms);
  if (typeof outcome !== "string" || !OUTCOMES.has(outcome) || requestTime === undefined) return undefined;

  const values: Partial<Record<MetricName, number>> = {
    RequestTime: requestTime,
    Errors: count(outcome === "error"),
  };
  if (outcome !== "error") {
    values.Hit = count(outcome === "hit");
    values.Miss = count(outcome === "generated");
  }
  const generationTime = asNumber(fields.generation_time_ms);
  if (outcome === "generated" && generationTime !== undefined) values.GenerationTime = generationTime;
  // Present whenever a cut ran, failed ones included: reading a source is the cost either way.
  const sourceBytes = asNumber(fields.source_bytes_read);
  if (sourceBytes !== undefined) values.SourceBytesRead = sourceBytes;
  const clipBytes = asNumber(fields.clip_bytes);
  if (clipBytes !== undefined) values.ClipBytes = clipBytes;

  const names = (Object.keys(METRIC_UNITS) as MetricName[]).filter((name) => values[name] !== undefined);
  const directives: MetricDirective[] = [
    { Namespace: namespace, Dimensions: [[]], Metrics: define(names) },
    { Namespace: namespace, Dimensions: [["Outcome"]], Metrics: define(["RequestTime"]) },
  ];
  const members: Record<string, string | number> = { ...values, Outcome: outcome };
  if (outcome === "error") {
    // The line's fields are loosely typed: anything outside core's closed set of codes is folded into one
    // value rather than minting a new CloudWatch metric.
    const code = typeof fields.code === "string" && Object.hasOwn(ERROR_STATUS, fields.code) ? fields.code : "unknown";
    directives.push({ Namespace: namespace, Dimensions: [["ErrorCode"]], Metrics: define(["Errors"]) });
    members.ErrorCode = code;
  }
  return { ...members, _aws: { Timestamp: timestamp, CloudWatchMetrics: directives } };
}

/** The log line's fields with the EMF members added after them (the fields themselves are unchanged). */
export function withMetrics(
  fields: Record<string, unknown>,
  namespace: string,
  timestamp: number,
): Record<string, unknown> {
  const members = emfMembers(fields, namespace, timestamp);
  return members ? { ...fields, ...members } : fields;
}
