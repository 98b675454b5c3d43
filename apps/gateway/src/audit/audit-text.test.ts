import { describe, expect, it } from "vitest";
import { clipAuditText, isInvisible, replaceLoneSurrogates, withWellFormedText } from "./audit-text.js";

describe("clipAuditText", () => {
  it.each([
    ["short text is kept", "abc", 5, "abc"],
    ["exactly the limit is kept", "abcde", 5, "abcde"],
    ["long text ends in an ellipsis", "abcdef", 5, "abcd…"],
    ["a pair straddling the cut is dropped whole", `${"a".repeat(3)}😀b`, 5, "aaa…"],
    ["a pair just before the cut is kept", `${"a".repeat(2)}😀bb`, 5, "aa😀…"],
    ["a lone surrogate becomes U+FFFD", "a\uD800b", 5, "a\uFFFDb"],
  ])("%s", (_name, text, max, expected) => {
    const clipped = clipAuditText(text, max);
    expect(clipped).toBe(expected);
    expect(clipped.length).toBeLessThanOrEqual(max);
  });
});

describe("withWellFormedText", () => {
  it("returns the same value when nothing needs repair", () => {
    const value = { a: ["x", 1, null, { b: "😀" }] };
    expect(withWellFormedText(value)).toBe(value);
  });

  it("repairs keys and values at any depth, and keeps __proto__ an ordinary key", () => {
    const value = JSON.parse('{"__proto__": {"k\\ud800": ["\\udc00"]}}');
    const repaired = withWellFormedText(value);
    expect(Object.getPrototypeOf(repaired)).toBe(Object.prototype);
    expect(Object.keys(repaired)).toEqual(["__proto__"]);
    expect(JSON.stringify(repaired)).toBe('{"__proto__":{"k\uFFFD":["\uFFFD"]}}');
    expect(replaceLoneSurrogates("ok 😀")).toBe("ok 😀");
  });
});

// Threat: a client's text (an identity provider error, a user agent) driving an admin's terminal from the log.
describe("clipAuditText and control characters", () => {
  it.each([
    ["ESC and BEL", "a\x1b]0;pwned\x07b", 100, "a\\x1b]0;pwned\\x07b"],
    ["a newline cannot forge a line", "x\n99  admin  allow\r", 100, "x\\n99  admin  allow\\r"],
    ["tab, NUL, DEL, C1", "\t\x00\x7f\x9b", 100, "\\t\\x00\\x7f\\x9b"],
    [
      "separators and bidi controls",
      "\u2028\u2029\u202a\u202e\u2066\u2069",
      100,
      "\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069",
    ],
    ["printable text of any script is kept", "Zoë 東京 😀", 100, "Zoë 東京 😀"],
    ["the escaped form counts against the limit", "ab\x1bcd", 7, "ab\\x1b…"],
    ["an escape is never cut in half", "abc\x1bd", 6, "abc…"],
  ])("%s", (_name, text, max, expected) => {
    const clipped = clipAuditText(text, max);
    expect(clipped).toBe(expected);
    expect(clipped.length).toBeLessThanOrEqual(max);
  });

  it("leaves no invisible character, and is idempotent", () => {
    const all = Array.from({ length: 0x2070 }, (_, code) => String.fromCharCode(code)).join("");
    const clipped = clipAuditText(all, 100_000);
    for (const char of clipped) expect(isInvisible(char.charCodeAt(0))).toBe(false);
    expect(clipAuditText(clipped, 100_000)).toBe(clipped);
    for (let code = 0; code < 0x2070; code++) {
      expect(clipAuditText(String.fromCharCode(code), 10) !== String.fromCharCode(code)).toBe(
        isInvisible(code),
      );
    }
  });
});
