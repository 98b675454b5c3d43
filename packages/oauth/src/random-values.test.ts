import { describe, expect, it } from "vitest";
import { createS256CodeChallenge, generateCodeVerifier, generateNonce, generateState } from "./index.js";

const counting = (byteCount: number) => Uint8Array.from({ length: byteCount }, (_, index) => index);

describe("random values", () => {
  it("computes the RFC 7636 Appendix B S256 challenge", () => {
    expect(createS256CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("encodes 32 injected random bytes as 43 base64url characters", () => {
    const expected = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    expect(generateState(counting)).toBe(expected);
    expect(generateNonce(counting)).toBe(expected);
    expect(generateCodeVerifier(counting)).toBe(expected);
    expect(createS256CodeChallenge(generateCodeVerifier(counting))).toMatch(/^[\w-]{43}$/);
  });

  it("throws on a random source that returns the wrong number of bytes", () => {
    expect(() => generateState(() => new Uint8Array(8))).toThrow(TypeError);
  });

  it("refuses code verifiers outside RFC 7636 §4.1", () => {
    expect(() => createS256CodeChallenge("a".repeat(42))).toThrow(RangeError);
    expect(() => createS256CodeChallenge("a".repeat(129))).toThrow(RangeError);
    expect(() => createS256CodeChallenge(`${"a".repeat(42)} `)).toThrow(RangeError);
    expect(createS256CodeChallenge("a".repeat(128))).toHaveLength(43);
  });
});
