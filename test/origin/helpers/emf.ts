/**
 * Checks a parsed log line against the rules CloudWatch applies to an Embedded Metric Format document. It is
 * written from the specification, not from origin/metrics.ts, so the two cannot share a mistake: a line that
 * breaks a rule is dropped by CloudWatch without any error the origin could see.
 */

// CloudWatch's StandardUnit values.
const UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isMetricValue = (v: unknown) =>
  (typeof v === "number" && Number.isFinite(v)) ||
  (Array.isArray(v) && v.length > 0 && v.length <= 100 && v.every((x) => typeof x === "number" && Number.isFinite(x)));

/** Every rule the line breaks (empty when CloudWatch would extract its metrics). */
export function emfProblems(line: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = line._aws;
  if (!isObject(aws)) return ["_aws is missing or not an object"];
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp)) {
    problems.push("_aws.Timestamp must be a whole number of milliseconds since the epoch");
  } else if (Math.abs(aws.Timestamp - Date.now()) > 60 * 60_000) {
    problems.push(`_aws.Timestamp ${aws.Timestamp} is not now (seconds instead of milliseconds?)`);
  }
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, "_aws.CloudWatchMetrics is empty"];
  const resolutions = new Map<string, unknown>();
  directives.forEach((directive: unknown, i) => {
    const at = `CloudWatchMetrics[${i}]`;
    if (!isObject(directive)) return problems.push(`${at} is not an object`);
    const { Namespace, Dimensions, Metrics } = directive;
    if (typeof Namespace !== "string" || !/^[A-Za-z0-9._#:/-]{1,255}$/.test(Namespace)) {
      problems.push(`${at}.Namespace ${String(Namespace)} is not a valid namespace`);
    }
    if (!Array.isArray(Dimensions)) problems.push(`${at}.Dimensions is not an array`);
    else
      for (const set of Dimensions as unknown[]) {
        if (!Array.isArray(set) || set.length > 30) {
          problems.push(`${at}: a dimension set must be an array of at most 30 names`);
          continue;
        }
        for (const name of set as unknown[]) {
          const value = typeof name === "string" ? line[name] : undefined;
          if (
            typeof value !== "string" ||
            value.trim() === "" ||
            value.length > 1024 ||
            !/^[\x20-\x7e]+$/.test(value)
          ) {
            problems.push(
              `${at}: dimension ${String(name)} needs a top-level string value, got ${JSON.stringify(value)}`,
            );
          }
        }
      }
    if (!Array.isArray(Metrics) || Metrics.length > 100) return problems.push(`${at}.Metrics: at most 100 metrics`);
    for (const metric of Metrics as unknown[]) {
      if (!isObject(metric) || typeof metric.Name !== "string" || metric.Name.trim() === "") {
        problems.push(`${at}: a metric needs a Name`);
        continue;
      }
      const { Name, Unit, StorageResolution } = metric;
      if (!isMetricValue(line[Name])) {
        problems.push(`${at}: metric ${Name} needs a top-level number, got ${JSON.stringify(line[Name])}`);
      }
      if (Unit !== undefined && !UNITS.has(String(Unit)))
        problems.push(`${at}: ${Name} has unknown unit ${String(Unit)}`);
      if (StorageResolution !== undefined && StorageResolution !== 1 && StorageResolution !== 60) {
        problems.push(`${at}: ${Name} has StorageResolution ${String(StorageResolution)} (1 or 60)`);
      }
      // One line may not publish the same metric at two resolutions.
      const resolution = StorageResolution ?? 60;
      if (resolutions.has(Name) && resolutions.get(Name) !== resolution) {
        problems.push(`${Name} is declared with two storage resolutions`);
      }
      resolutions.set(Name, resolution);
    }
    return undefined;
  });
  return problems;
}

/** The metric names a line declares, over all its directives. */
export function declaredMetrics(line: Record<string, unknown>): Set<string> {
  const aws = line._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined;
  return new Set((aws?.CloudWatchMetrics ?? []).flatMap((d) => (d.Metrics ?? []).map((m) => m.Name)));
}
