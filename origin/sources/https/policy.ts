import type { LookupAddress } from "node:dns";

/** What an `https://` audio location must satisfy before and while the origin reads it. */
export interface HttpsSourcePolicy {
  /** Exact hosts and `*.example.com` suffix patterns (SOURCE_HOST_ALLOWLIST); empty refuses every https source. */
  allowedHosts: readonly string[];
  /** Largest source the origin will read from (SOURCE_MAX_BYTES). */
  maxBytes: number;
  /** Per request: connecting, waiting for headers, and any pause between body chunks (default 10 s). */
  timeoutMs?: number;
  /** Stops every request of this source, e.g. at the Lambda deadline. */
  signal?: AbortSignal;
  /** DNS resolution (default: the system resolver); every answer is checked before it is connected to. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  /**
   * Test only: trusted CA certificates (PEM) instead of the system's, and addresses exempt from the
   * private-address refusal. The configuration never sets these, so no environment variable can.
   */
  testOnly?: { ca?: string | readonly string[]; allowAddresses?: readonly string[] };
}

export const DEFAULT_SOURCE_MAX_BYTES = 2 * 1024 ** 3;

// A DNS name: labels of letters, digits and hyphens (IDNs arrive here punycoded, as the URL parser makes them).
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/**
 * Parses SOURCE_HOST_ALLOWLIST. A pattern `*.example.com` matches any host below example.com but not
 * example.com itself; a bare `*` or a pattern one label deep (`*.com`) would allow nearly everything,
 * so both are refused.
 */
export function parseHostAllowlist(value: string): { hosts: string[]; problems: string[] } {
  const hosts: string[] = [];
  const problems: string[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (entry === "") continue;
    const suffix = entry.startsWith("*.") ? entry.slice(2) : entry;
    if (!HOST.test(suffix)) {
      problems.push(`"${raw.trim()}" is not a host name or a *.domain pattern`);
    } else if (entry !== suffix && !suffix.includes(".")) {
      problems.push(`"${raw.trim()}" is too broad: a pattern needs at least two labels after "*."`);
    } else {
      hosts.push(entry);
    }
  }
  return { hosts, problems };
}

/** Whether `hostname` (as the URL parser gives it: lowercase, punycoded) is on the allow-list. */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return allowedHosts.some((pattern) =>
    pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern,
  );
}

/** The production policy from the validated configuration. */
export function httpsSourcePolicy(config: { sourceHostAllowlist: readonly string[]; sourceMaxBytes: number }) {
  return { allowedHosts: config.sourceHostAllowlist, maxBytes: config.sourceMaxBytes } satisfies HttpsSourcePolicy;
}
