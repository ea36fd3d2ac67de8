import { describe, expect, it } from "vitest";
import { parseRange } from "../../worker/http/range.js";

// The hand-written Range parser, on the edge cases a player or a proxy can send (RFC 9110 §14.1.2).
describe("parseRange", () => {
  it.each([
    [null, { kind: "full" }],
    ["bytes=0-0", { kind: "partial", start: 0, end: 0 }],
    ["bytes=0-99", { kind: "partial", start: 0, end: 99 }],
    ["bytes=990-", { kind: "partial", start: 990, end: 999 }],
    ["bytes=-1", { kind: "partial", start: 999, end: 999 }],
    ["bytes=-5000", { kind: "partial", start: 0, end: 999 }],
    ["bytes=5-99999", { kind: "partial", start: 5, end: 999 }],
    [" bytes=1-2 ", { kind: "partial", start: 1, end: 2 }],
    ["bytes=1000-", { kind: "unsatisfiable" }],
    ["bytes=1000-2000", { kind: "unsatisfiable" }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    // Invalid or unsupported forms are ignored: the whole clip is a valid answer to them.
    ["bytes=5-2", { kind: "full" }],
    ["bytes=-", { kind: "full" }],
    ["bytes=0-1,5-6", { kind: "full" }],
    ["items=0-1", { kind: "full" }],
    ["bytes=a-b", { kind: "full" }],
  ])("%j on 1000 bytes → %j", (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});
