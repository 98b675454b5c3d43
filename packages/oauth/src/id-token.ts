import type { JWTPayload } from "jose";
import { errors, jwtVerify } from "jose";
import type { DomainCheck } from "./domain-policy.js";
import { checkDomain } from "./domain-policy.js";
import type { JwksCache, JwksEntry } from "./jwks-cache.js";
import { equalsConstantTime } from "./random-values.js";

/** Signature algorithms accepted on ID tokens. Never `none`, never HMAC (the "public key as secret" attack). */
export const ID_TOKEN_ALGORITHMS: readonly string[] = ["RS256", "ES256"];

/** A signed-in person, from a fully verified ID token. */
export interface OidcIdentity {
  /** `sub`: the provider's stable id for the person; pair it with `issuer` as the account key. */
  subject: string;
  /** Lower-cased email; its domain is one of the allowed domains. */
  email: string;
  name: string | null;
  emailVerified: true;
  /** `hd` (lower-cased) when the provider sent it (Google Workspace), else `null`. */
  hostedDomain: string | null;
  issuer: string;
}

/** Why an ID token or a sign-in was refused. Stable strings: log them, switch on them. */
export type SignInErrorCode =
  | "TOKEN_EXCHANGE_FAILED"
  | "INVALID_ID_TOKEN"
  | "ID_TOKEN_EXPIRED"
  | "ISSUER_MISMATCH"
  | "AUDIENCE_MISMATCH"
  | "NONCE_MISMATCH"
  | "EMAIL_MISSING"
  | "EMAIL_INVALID"
  | "EMAIL_NOT_VERIFIED"
  | "DOMAIN_NOT_ALLOWED";

/** The outcome of verifying an ID token: an identity, or a refusal with a stable code. */
export type IdTokenResult =
  | { ok: true; identity: OidcIdentity; claims: JWTPayload }
  | { ok: false; code: SignInErrorCode; message: string };

export interface IdTokenCheckOptions {
  issuer: string;
  /** Issuer spellings accepted in `iss` (Google also uses `accounts.google.com`). */
  acceptedIssuers: readonly string[];
  clientId: string;
  allowedDomains: readonly string[];
  requireHostedDomain: boolean;
  clockSkewSeconds: number;
  maxAgeSeconds: number;
  now: () => Date;
  jwks: JwksCache;
}

function refuse(code: SignInErrorCode, message: string): IdTokenResult {
  return { ok: false, code, message };
}

function mapJoseError(error: unknown): IdTokenResult {
  if (error instanceof errors.JWTExpired) {
    return refuse("ID_TOKEN_EXPIRED", `ID token is too old: ${error.message}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss" && error.reason !== "missing") {
      return refuse("ISSUER_MISMATCH", "ID token was issued by another issuer");
    }
    if (error.claim === "aud" && error.reason !== "missing") {
      return refuse("AUDIENCE_MISMATCH", "ID token was issued to another client (aud)");
    }
    return refuse("INVALID_ID_TOKEN", `ID token claim check failed: ${error.message}`);
  }
  if (error instanceof errors.JOSEError) {
    return refuse("INVALID_ID_TOKEN", `ID token rejected (${error.code}): ${error.message}`);
  }
  throw error;
}

async function verifyWith(idToken: string, entry: JwksEntry, options: IdTokenCheckOptions) {
  return jwtVerify(idToken, entry.getKey, {
    algorithms: [...ID_TOKEN_ALGORITHMS],
    issuer: [...options.acceptedIssuers],
    audience: options.clientId,
    clockTolerance: options.clockSkewSeconds,
    maxTokenAge: options.maxAgeSeconds,
    currentDate: options.now(),
    requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
  });
}

async function verifySignatureAndTimes(idToken: string, options: IdTokenCheckOptions): Promise<JWTPayload> {
  const entry = await options.jwks.current();
  try {
    return (await verifyWith(idToken, entry, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    // The provider may have rotated its keys since we cached them: fetch once more, then give up.
    const fresh = await options.jwks.refreshForUnknownKey(entry);
    if (fresh === null) throw error;
    return (await verifyWith(idToken, fresh, options)).payload;
  }
}

/**
 * OIDC Core 1.0 §3.1.3.7 ID token validation: signature against the provider's JWKS (RS256/ES256 only), `iss`,
 * `aud` (+ `azp` when several audiences), `exp`/`iat` within the clock skew, `nonce`, `email_verified`,
 * then the domain rule of `checkDomain`.
 */
export async function checkIdToken(
  idToken: string,
  expectedNonce: string,
  options: IdTokenCheckOptions,
): Promise<IdTokenResult> {
  if (typeof idToken !== "string" || idToken.length === 0) {
    return refuse("INVALID_ID_TOKEN", "no ID token");
  }
  if (typeof expectedNonce !== "string" || expectedNonce.length === 0) {
    throw new TypeError("nonce must be the nonce stored when the sign-in began (generateNonce())");
  }
  let claims: JWTPayload;
  try {
    claims = await verifySignatureAndTimes(idToken, options);
  } catch (error) {
    return mapJoseError(error);
  }
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== options.clientId) {
    return refuse("AUDIENCE_MISMATCH", "ID token has several audiences and azp is not this client");
  }
  if (claims.azp !== undefined && claims.azp !== options.clientId) {
    return refuse("AUDIENCE_MISMATCH", "ID token azp names another client");
  }
  if (typeof claims.nonce !== "string" || !equalsConstantTime(claims.nonce, expectedNonce)) {
    return refuse("NONCE_MISMATCH", "ID token nonce is missing or is not the one sent with this sign-in");
  }
  if (typeof claims.sub !== "string" || claims.sub.length === 0) {
    return refuse("INVALID_ID_TOKEN", "ID token has no sub");
  }
  if (claims.email_verified !== true) {
    return refuse("EMAIL_NOT_VERIFIED", "the provider does not say the email address is verified");
  }
  const domain: DomainCheck = checkDomain(
    { email: claims.email, hd: claims.hd },
    options.allowedDomains,
    options.requireHostedDomain,
  );
  if (!domain.ok) return refuse(domain.code, domain.message);
  return {
    ok: true,
    claims,
    identity: {
      subject: claims.sub,
      email: domain.email,
      name: typeof claims.name === "string" ? claims.name : null,
      emailVerified: true,
      hostedDomain: domain.hostedDomain,
      issuer: options.issuer,
    },
  };
}
