import { createHash, timingSafeEqual } from "node:crypto";

/** Source of cryptographically secure random bytes, e.g. `(n) => crypto.getRandomValues(new Uint8Array(n))`. */
export type RandomBytes = (byteCount: number) => Uint8Array;

function encodeRandom(random: RandomBytes, byteCount: number): string {
  const bytes = random(byteCount);
  if (!(bytes instanceof Uint8Array) || bytes.length !== byteCount) {
    throw new TypeError(`random(${byteCount}) must return a Uint8Array of ${byteCount} bytes`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** A fresh `state` (256 bits, base64url, 43 characters). Store it server-side or in a signed cookie. */
export function generateState(random: RandomBytes): string {
  return encodeRandom(random, 32);
}

/** A fresh OIDC `nonce` (256 bits, base64url, 43 characters); the ID token must echo it. */
export function generateNonce(random: RandomBytes): string {
  return encodeRandom(random, 32);
}

/** A PKCE code verifier (RFC 7636 §4.1): 32 random bytes as base64url, 43 unreserved characters. */
export function generateCodeVerifier(random: RandomBytes): string {
  return encodeRandom(random, 32);
}

const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Throws `RangeError` unless `verifier` is a valid RFC 7636 §4.1 code verifier. */
export function assertCodeVerifier(verifier: string): void {
  if (typeof verifier !== "string" || !CODE_VERIFIER_PATTERN.test(verifier)) {
    throw new RangeError(
      "codeVerifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1); use generateCodeVerifier()",
    );
  }
}

/**
 * The PKCE S256 code challenge (RFC 7636 §4.2): `BASE64URL(SHA256(ASCII(verifier)))`.
 *
 * @example createS256CodeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
 */
export function createS256CodeChallenge(codeVerifier: string): string {
  assertCodeVerifier(codeVerifier);
  return createHash("sha256").update(codeVerifier, "ascii").digest("base64url");
}

/** Constant-time string equality (compares SHA-256 digests, so lengths leak nothing either). */
export function equalsConstantTime(a: string, b: string): boolean {
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/**
 * Checks the `state` returned on the callback against the one stored when the sign-in began, in constant
 * time. `false` when either is missing or empty, or they differ (a forged or swapped callback, RFC 6749
 * §10.12). The caller must also delete the stored state after one use so a callback cannot be replayed.
 */
export function verifyState(
  expected: string | null | undefined,
  received: string | null | undefined,
): boolean {
  if (typeof expected !== "string" || typeof received !== "string") return false;
  if (expected.length === 0 || received.length === 0) return false;
  return equalsConstantTime(expected, received);
}
