import { randomBytes } from "node:crypto";
import type { CryptoKey, JWK, JWTHeaderParameters, JWTPayload } from "jose";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/** An asymmetric key pair for signing test ID tokens; `publicJwk` is what a JWKS would publish. */
export interface TestSigningKey {
  readonly kid: string;
  readonly alg: "RS256" | "ES256";
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Generates a fresh signing key (default RS256, 2048-bit) with a random `kid`. */
export async function createTestSigningKey(
  options: { alg?: "RS256" | "ES256"; kid?: string } = {},
): Promise<TestSigningKey> {
  const alg = options.alg ?? "RS256";
  const kid = options.kid ?? randomBytes(8).toString("hex");
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

/**
 * Signs `claims` as a JWT with `key` (header `alg`, `kid`, `typ: JWT`; `header` overrides them, e.g. a
 * different `kid`). Claims are taken verbatim: include `iat`/`exp` yourself.
 */
export async function mintIdToken(
  claims: JWTPayload,
  key: TestSigningKey,
  options: { header?: Partial<JWTHeaderParameters> } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...options.header })
    .sign(key.privateKey);
}

/** An unsecured JWT (`alg: none`, empty signature, RFC 7519 §6) — a token no verifier may accept. */
export function mintUnsignedIdToken(claims: JWTPayload, header: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${encode({ alg: "none", typ: "JWT", ...header })}.${encode(claims)}.`;
}

/**
 * An HS256 token keyed with `secret` — e.g. the provider's public key text, for the algorithm-confusion
 * attack where a verifier would use the RSA public key as an HMAC secret.
 */
export async function mintHmacIdToken(
  claims: JWTPayload,
  secret: Uint8Array | string,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", ...header }).sign(bytes);
}
