// Threat: a return_to that passes the leading-"//" check but resolves to one (dot segments removed by URL parsing)
// is handed on as a protocol-relative address, an open redirect to another site.
import { describe, expect, it } from "vitest";
import { DEFAULT_RETURN_TO, parseReturnTo } from "./return-to.js";

describe("parseReturnTo", () => {
  it.each([
    "/.//evil.example",
    "/%2e//evil.example/x",
    "/%2E//evil.example",
    "/a/..//evil.example",
    "/a/%2e%2e//evil.example",
    "/./%2e/..//evil.example?x=1",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
  ])("refuses %j", (value) => {
    expect(parseReturnTo(value)).toBeNull();
  });

  it.each([
    ["/api/v1/me", "/api/v1/me"],
    ["/auth/device?user_code=ABCD-EFGH", "/auth/device?user_code=ABCD-EFGH"],
    ["/a/./b/../c", "/a/c"],
    ["/a//b", "/a//b"],
    [DEFAULT_RETURN_TO, DEFAULT_RETURN_TO],
  ])("keeps %j as %j", (value, expected) => {
    expect(parseReturnTo(value)).toBe(expected);
  });
});
