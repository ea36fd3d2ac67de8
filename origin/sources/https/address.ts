import { BlockList, isIP } from "node:net";

/**
 * Which addresses an https source may never be fetched from: anything that is not public unicast, so a
 * catalog entry (or a redirect, or a DNS answer) cannot point the origin at the VPC, the instance metadata
 * service or itself. The ranges are IANA's special-purpose registries; matching is Node's own BlockList
 * (no dependency, and it already matches IPv4-mapped IPv6 forms against IPv4 rules).
 */
const IPV4_RANGES: readonly (readonly [string, number, string])[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const IPV6_RANGES: readonly (readonly [string, number, string])[] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  // The deprecated IPv4-compatible form ::a.b.c.d; nothing public uses it.
  ["::", 96, "IPv4-compatible"],
  ["64:ff9b:1::", 48, "local-use NAT64"],
  ["100::", 64, "discard-only"],
  ["2001::", 32, "Teredo"],
  ["2001:db8::", 32, "documentation"],
  ["fc00::", 7, "unique local (private)"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

function ipv4Hex(address: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
  const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `${hex(a, b)}:${hex(c, d)}`;
}

/**
 * IPv6 forms that carry an IPv4 address inside: mapped (::ffff:a.b.c.d), NAT64's well-known prefix (a
 * DNS64 resolver would turn 10.0.0.1 into 64:ff9b::a00:1) and 6to4 (2002:AABB:CCDD::). Each IPv4 rule is
 * repeated under each prefix, so "::ffff:127.0.0.1" is refused as loopback like 127.0.0.1 is.
 */
function embeddedV4Rules(list: BlockList, [address, prefix]: readonly [string, number, string]): void {
  list.addSubnet(`::ffff:${ipv4Hex(address)}`, 96 + prefix, "ipv6");
  list.addSubnet(`64:ff9b::${ipv4Hex(address)}`, 96 + prefix, "ipv6");
  list.addSubnet(`2002:${ipv4Hex(address)}::`, 16 + prefix, "ipv6");
}

const RULES: readonly { name: string; list: BlockList }[] = [
  ...IPV4_RANGES.map((range) => {
    const list = new BlockList();
    list.addSubnet(range[0], range[1], "ipv4");
    embeddedV4Rules(list, range);
    return { name: range[2], list };
  }),
  ...IPV6_RANGES.map(([address, prefix, name]) => {
    const list = new BlockList();
    list.addSubnet(address, prefix, "ipv6");
    return { name, list };
  }),
];

/** Why an address may not be connected to (e.g. "loopback"), or undefined for a public unicast address. */
export function forbiddenAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  // Zone ids (fe80::1%eth0) are only meaningful on link-local addresses, which are refused anyway.
  const bare = address.replace(/%.*$/, "");
  for (const rule of RULES) if (rule.list.check(bare, type)) return rule.name;
  return undefined;
}
