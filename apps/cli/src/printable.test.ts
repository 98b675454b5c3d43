// Threat: server- or user-provided text carrying terminal control sequences, forged lines or bidi overrides.
import { describe, expect, it } from "vitest";
import { formatAuditLine } from "./commands/audit/tail.js";
import { formatTable } from "./output.js";
import { isUnsafeCodePoint, printable, printableLines } from "./printable.js";
import { cellOf, formatRecords } from "./records.js";

const HOSTILE = "x\x1b]0;pwned\x07\x1b[2K\n99  admin@example.com  rack.request  allow\u202e";
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("printable", () => {
  it.each([
    ["plain text is kept", "alice@example.com GET /apps", "alice@example.com GET /apps"],
    ["other scripts and emoji are kept", "Zoë 東京 😀", "Zoë 東京 😀"],
    ["ESC and BEL become escapes", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"],
    ["line breaks, tabs and returns are named", "a\nb\rc\td", "a\\nb\\rc\\td"],
    ["NUL, DEL and C1 controls", "\x00\x7f\x9b", "\\x00\\x7f\\x9b"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["bidi overrides and isolates", "\u202aa\u202eb\u2066c\u2069", "\\u202aa\\u202eb\\u2066c\\u2069"],
  ])("%s", (_name, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it("is idempotent and leaves nothing unsafe", () => {
    const all = Array.from({ length: 0x2070 }, (_, code) => String.fromCharCode(code)).join("");
    const once = printable(all);
    expect(printable(once)).toBe(once);
    for (const char of once) expect(isUnsafeCodePoint(char.charCodeAt(0))).toBe(false);
  });

  it("printableLines keeps line breaks and escapes the rest", () => {
    expect(printableLines("first\nsecond \x1b[2K\r")).toBe("first\nsecond \\x1b[2K\\r");
  });
});

describe("human-readable output of foreign text", () => {
  it("formatAuditLine shows every field with escapes, on one line", () => {
    const line = formatAuditLine(5, {
      time: "2026-11-22T10:07:47Z",
      actor: { type: "anonymous", email: HOSTILE },
      action: "signin.failure",
      decision: "deny",
      method: "GET",
      path: "/auth/callback",
      status: 403,
      reason: `the identity provider answered ${HOSTILE}`,
    });
    expect(line).not.toMatch(UNSAFE);
    expect(line).not.toContain("\n");
    expect(line).toContain(String.raw`answered x\x1b]0;pwned\x07\x1b[2K\n99  admin@example.com`);
  });

  it("formatTable escapes cells and headers, and aligns on what is printed", () => {
    const table = formatTable(
      ["name", "note"],
      [
        [HOSTILE, "a\tb"],
        ["short", "c"],
      ],
    );
    expect(table).not.toMatch(UNSAFE);
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]?.indexOf("c")).toBe(lines[1]?.indexOf(String.raw`a\tb`));
  });

  it("cellOf and formatRecords escape strings, grants and JSON values", () => {
    expect(cellOf(HOSTILE)).not.toMatch(UNSAFE);
    expect(cellOf([{ role: "admin\n", apps: ["web\u2066"] }])).toBe(String.raw`admin\n(web\u2066)`);
    expect(cellOf({ note: "\u2028\x7f" })).toBe(String.raw`{"note":"\u2028\x7f"}`);
    expect(formatRecords([{ email: HOSTILE }], ["email"])).not.toMatch(UNSAFE);
  });
});
