/**
 * JSON mode: `response=json`, or an Accept that asks for JSON and not audio. Browsers' <audio> sends
 * `Accept: audio/*,...` or `*\/*`, so players always get bytes.
 */
export function wantsJson(accept: string | null | undefined, params: URLSearchParams): boolean {
  if (params.get("response") === "json") return true;
  const value = accept ?? "";
  return value.includes("application/json") && !value.includes("audio/");
}
