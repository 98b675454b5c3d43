/** PKCE (RFC 7636) and the loopback sign-in's state value. */
import { createHash, randomBytes } from "node:crypto";

/** RFC 7636 §4.1 verifier (32 random bytes, base64url = 43 chars) and its §4.2 S256 challenge. */
export function createPkcePair(random: (byteCount: number) => Uint8Array = randomBytes): {
  verifier: string;
  challenge: string;
} {
  const verifier = Buffer.from(random(32)).toString("base64url");
  return { verifier, challenge: challengeOf(verifier) };
}

/** S256: BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2. */
export function challengeOf(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export function createState(random: (byteCount: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(16)).toString("base64url");
}
