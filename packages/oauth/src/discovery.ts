import { OidcProviderError } from "./errors.js";

/** The parts of an OpenID Provider's metadata (OIDC Discovery 1.0 §3) this package uses. */
export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string | null;
  /** Defaults to `["client_secret_basic"]` when the document omits it (§3). */
  tokenEndpointAuthMethods: readonly string[];
  /** Empty when the document does not advertise PKCE support; PKCE is sent regardless. */
  codeChallengeMethods: readonly string[];
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** `https:` everywhere; plain `http:` only on loopback (the fake provider, RFC 8252 §8.3 spirit). */
export function isAcceptableProviderUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.hash !== "") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/** Throws `TypeError` unless `issuer` is an https URL (http only on loopback) without query or fragment. */
export function assertIssuer(issuer: string): void {
  if (typeof issuer !== "string" || !isAcceptableProviderUrl(issuer) || new URL(issuer).search !== "") {
    throw new TypeError(
      `issuer ${JSON.stringify(issuer)} must be an https URL without query or fragment, e.g. https://accounts.google.com (OIDC_ISSUER)`,
    );
  }
}

/**
 * The discovery request for `issuer` (OIDC Discovery 1.0 §4.1): `GET {issuer without trailing /}/.well-known/openid-configuration`.
 */
export function createDiscoveryRequest(issuer: string): Request {
  assertIssuer(issuer);
  const base = issuer.endsWith("/") ? issuer.slice(0, -1) : issuer;
  return new Request(`${base}/.well-known/openid-configuration`, {
    method: "GET",
    headers: { accept: "application/json" },
  });
}

function readEndpoint(document: Record<string, unknown>, field: string, url: string): string {
  const value = document[field];
  if (typeof value !== "string" || !isAcceptableProviderUrl(value)) {
    throw new OidcProviderError(`discovery document at ${url} has no usable ${field} (https URL required)`, {
      url,
    });
  }
  return value;
}

function readStringList(document: Record<string, unknown>, field: string): string[] | null {
  const value = document[field];
  if (!Array.isArray(value)) return null;
  return value.filter((item): item is string => typeof item === "string");
}

/**
 * Validates a discovery document. Its `issuer` must equal the configured issuer exactly (§4.3), or the
 * document belongs to another provider and every later check would trust the wrong keys.
 */
export function parseProviderMetadata(
  document: Record<string, unknown>,
  expectedIssuer: string,
  url: string,
): ProviderMetadata {
  if (document.issuer !== expectedIssuer) {
    throw new OidcProviderError(
      `discovery document at ${url} names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(expectedIssuer)} exactly`,
      { url },
    );
  }
  const userinfo = document.userinfo_endpoint;
  return {
    issuer: expectedIssuer,
    authorizationEndpoint: readEndpoint(document, "authorization_endpoint", url),
    tokenEndpoint: readEndpoint(document, "token_endpoint", url),
    jwksUri: readEndpoint(document, "jwks_uri", url),
    userinfoEndpoint: typeof userinfo === "string" && isAcceptableProviderUrl(userinfo) ? userinfo : null,
    tokenEndpointAuthMethods: readStringList(document, "token_endpoint_auth_methods_supported") ?? [
      "client_secret_basic",
    ],
    codeChallengeMethods: readStringList(document, "code_challenge_methods_supported") ?? [],
  };
}
