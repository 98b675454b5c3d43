import { describe, expect, it } from "vitest";
import { clipAuditText, replaceLoneSurrogates, withWellFormedText } from "./audit-text.js";

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
