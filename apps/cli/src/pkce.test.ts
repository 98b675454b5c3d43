import { describe, expect, it } from "vitest";
import { challengeOf, createPkcePair, createState } from "./index.js";

describe("PKCE (RFC 7636)", () => {
  it("matches the S256 example of RFC 7636 Appendix B", () => {
    expect(challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("derives the verifier from 32 random bytes (43 base64url characters) and its challenge", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, index) => index);
    const pair = createPkcePair(() => bytes);
    expect(pair.verifier).toBe(Buffer.from(bytes).toString("base64url"));
    expect(pair.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.challenge).toBe(challengeOf(pair.verifier));
    expect(createPkcePair().verifier).not.toBe(createPkcePair().verifier);
    expect(createState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
