// Threat: an attacker forges, swaps or replays the callback's `state` to complete a sign-in the victim never started (login CSRF, RFC 6749 §10.12).
import { describe, expect, it } from "vitest";
import { random } from "../test/sign-in-harness.js";
import { generateState, verifyState } from "./index.js";

describe("verifyState", () => {
  const expected = generateState(random);

  it("accepts only the exact state stored for this browser", () => {
    expect(verifyState(expected, expected)).toBe(true);
    expect(verifyState(expected, `${expected}`.slice(0))).toBe(true);
  });

  it("refuses a forged state, one differing in a single character, a prefix or an extension", () => {
    const lastFlipped = `${expected.slice(0, -1)}${expected.endsWith("A") ? "B" : "A"}`;
    expect(verifyState(expected, generateState(random))).toBe(false);
    expect(verifyState(expected, lastFlipped)).toBe(false);
    expect(verifyState(expected, expected.slice(0, 20))).toBe(false);
    expect(verifyState(expected, `${expected}x`)).toBe(false);
    expect(verifyState(expected, expected.toUpperCase())).toBe(false);
  });

  it("refuses a callback when no state was stored (already used and deleted: a replay) or none was returned", () => {
    expect(verifyState(null, expected)).toBe(false);
    expect(verifyState(undefined, expected)).toBe(false);
    expect(verifyState(expected, null)).toBe(false);
    expect(verifyState(expected, undefined)).toBe(false);
    expect(verifyState("", "")).toBe(false);
  });
});
