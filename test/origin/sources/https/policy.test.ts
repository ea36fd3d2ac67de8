import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../../origin/config/config.js";
import { forbiddenAddressKind } from "../../../../origin/sources/https/address.js";
import { hostAllowed, httpsSourcePolicy, parseHostAllowlist } from "../../../../origin/sources/https/policy.js";

const minimal = {
  MONGODB_URI: "mongodb://db.internal:27017/",
  CLIPS_BUCKET: "edgeclip-clips",
  ORIGIN_SECRET: "0123456789abcdef0123",
};

function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("SOURCE_HOST_ALLOWLIST", () => {
  it("reads exact hosts and *.domain patterns, lowercased, ignoring blanks and a trailing dot", () => {
    expect(parseHostAllowlist(" Media.Example.com., *.cdn.example.net ,, ")).toEqual({
      hosts: ["media.example.com", "*.cdn.example.net"],
      problems: [],
    });
  });

  it("refuses a bare *, a one-label pattern, schemes, paths and ports, naming each entry", () => {
    const { hosts, problems } = parseHostAllowlist(
      "*, *.com, https://a.example, a.example/x, a.example:443, ok.example",
    );
    expect(hosts).toEqual(["ok.example"]);
    expect(problems).toEqual([
      '"*" is not a host name or a *.domain pattern',
      '"*.com" is too broad: a pattern needs at least two labels after "*."',
      '"https://a.example" is not a host name or a *.domain pattern',
      '"a.example/x" is not a host name or a *.domain pattern',
      '"a.example:443" is not a host name or a *.domain pattern',
    ]);
  });

  it("a pattern matches hosts below its domain at any depth, never the domain itself or a look-alike", () => {
    const allowed = ["media.example.com", "*.cdn.example.net"];
    expect(hostAllowed("media.example.com", allowed)).toBe(true);
    expect(hostAllowed("MEDIA.example.com.", allowed)).toBe(true);
    expect(hostAllowed("a.cdn.example.net", allowed)).toBe(true);
    expect(hostAllowed("a.b.cdn.example.net", allowed)).toBe(true);
    expect(hostAllowed("cdn.example.net", allowed)).toBe(false);
    expect(hostAllowed("evilcdn.example.net", allowed)).toBe(false);
    expect(hostAllowed("a.cdn.example.net.evil.com", allowed)).toBe(false);
    expect(hostAllowed("x.media.example.com", allowed)).toBe(false);
    expect(hostAllowed("media.example.com", [])).toBe(false);
  });

  it("is an origin setting: empty by default, 2 GiB by default for SOURCE_MAX_BYTES", () => {
    const config = loadConfig(minimal);
    expect(httpsSourcePolicy(config)).toEqual({ allowedHosts: [], maxBytes: 2 * 1024 ** 3 });
    const set = loadConfig({ ...minimal, SOURCE_HOST_ALLOWLIST: "*.podcdn.example", SOURCE_MAX_BYTES: "1000000" });
    expect(httpsSourcePolicy(set)).toEqual({ allowedHosts: ["*.podcdn.example"], maxBytes: 1_000_000 });
  });

  it("bad values and misspelt SOURCE_ settings are configuration errors naming the setting", () => {
    expect(configProblems({ ...minimal, SOURCE_HOST_ALLOWLIST: "*", SOURCE_MAX_BYTES: "2GB" })).toEqual([
      'SOURCE_HOST_ALLOWLIST: "*" is not a host name or a *.domain pattern',
      "SOURCE_MAX_BYTES: must be a whole number written with the digits 0-9",
    ]);
    expect(configProblems({ ...minimal, SOURCE_HOST_ALLOWLST: "a.example" })[0]).toMatch(
      /^SOURCE_HOST_ALLOWLST: unknown setting/,
    );
  });
});

describe("addresses an https source may never use", () => {
  it.each([
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fd12:3456::1", "unique local (private)"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::127.0.0.1", "IPv4-compatible"],
    ["64:ff9b::a00:1", "private"],
    ["2002:a9fe:a9fe::1", "link-local"],
  ])("%s is refused as %s", (address, kind) => {
    expect(forbiddenAddressKind(address)).toBe(kind);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::808:808"])(
    "%s (public) is allowed",
    (address) => {
      expect(forbiddenAddressKind(address)).toBeUndefined();
    },
  );
});
