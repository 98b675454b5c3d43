// Threat: an email claim that is not plain ASCII folds onto another person's address (KELVIN SIGN lower-cases to
// "k", fullwidth and compatibility characters NFKC-normalize to ASCII) and signs in as them.
import { describe, expect, it } from "vitest";
import { checkDomain } from "./domain-policy.js";

const ALLOWED = ["example.com"];

describe("email claims that are not printable ASCII", () => {
  it.each([
    ["\u212Aate@example.com", "KELVIN SIGN, lower-cases to k"],
    ["kate@exampl\u212A.com", "KELVIN SIGN in the domain"],
    ["\uFF4Bate@example.com", "FULLWIDTH k, NFKC-normalizes to k"],
    ["ka\u0301te@example.com", "a combining accent"],
    ["k\u0430te@example.com", "CYRILLIC a"],
    ["kate\u200B@example.com", "a zero-width space"],
    ["kate @example.com", "a space"],
    ["kate\t@example.com", "a control character"],
    ["kate@example.com\u0000", "a NUL"],
  ])("refuses %j (%s) with EMAIL_INVALID", (email) => {
    expect(checkDomain({ email }, ALLOWED, false)).toMatchObject({ ok: false, code: "EMAIL_INVALID" });
  });

  it.each([["kate@example.com"], ["KATE@EXAMPLE.COM"], ["k.ate+ops@example.com"], ["o'brien@example.com"]])(
    "accepts %j, lower-cased",
    (email) => {
      expect(checkDomain({ email }, ALLOWED, false)).toEqual({
        ok: true,
        email: email.toLowerCase(),
        hostedDomain: null,
      });
    },
  );
});
