import { CodeChallengeMethod, OAuth2Client } from "arctic";
import type { ProviderMetadata } from "./discovery.js";
import { assertIssuer, createDiscoveryRequest, parseProviderMetadata } from "./discovery.js";
import { normalizeAllowedDomains } from "./domain-policy.js";
import { OidcProviderError } from "./errors.js";
import type { FetchLike } from "./http.js";
import { discardBody, readJsonObject, sendRequest } from "./http.js";
import type { IdTokenResult, OidcIdentity, SignInErrorCode } from "./id-token.js";
import { checkIdToken } from "./id-token.js";
import { createJwksCache } from "./jwks-cache.js";
import { assertCodeVerifier } from "./random-values.js";
import type { OidcTokens, TokenEndpointAuthMethod, TokenExchangeResult } from "./token-request.js";
import { createTokenRequest, parseTokenResponse } from "./token-request.js";

/** Options of {@link createOidcClient}. */
export interface OidcClientOptions {
  /** Exact issuer URL (`OIDC_ISSUER`), e.g. `https://login.example.okta.com` — compared byte for byte. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The callback URL registered at the provider, e.g. `https://gateway.example.com/api/v1/auth/callback`. */
  redirectUri: string;
  /** All provider traffic (discovery, token, JWKS) goes through this. */
  fetch: FetchLike;
  /** Clock for `exp`/`iat` checks and cache ages. */
  now: () => Date;
  /** Email domains allowed to sign in, e.g. `["example.com"]`; exact match, no subdomains. */
  allowedDomains: readonly string[];
  /** Refuse ID tokens without an allowed `hd` claim. Default `false` (`true` in `createGoogleClient`). */
  requireHostedDomain?: boolean;
  /** Default `["openid", "email", "profile"]`; must contain `openid` and `email`. */
  scopes?: readonly string[];
  /** Tolerance on `exp`, `iat`, `nbf`. Default 60, at most 300. */
  clockSkewSeconds?: number;
  /** Refuse ID tokens issued longer ago than this. Default 600. */
  maxIdTokenAgeSeconds?: number;
  /** How long fetched signing keys are trusted before a refetch. Default 600. */
  jwksCacheTtlSeconds?: number;
  /** Abort any provider request after this long. Default 10000. */
  requestTimeoutMs?: number;
  /** Default: `client_secret_basic` unless the provider advertises only `client_secret_post`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
}

/** Parameters of one sign-in attempt; the caller keeps them (server-side) until the callback. */
export interface AuthorizationRequestOptions {
  /** From `generateState()`; at least 22 characters. */
  state: string;
  /** From `generateNonce()`; at least 22 characters. */
  nonce: string;
  /** From `generateCodeVerifier()`; only its S256 challenge leaves the server (RFC 7636 §4.3). */
  codeVerifier: string;
  loginHint?: string;
  prompt?: "none" | "login" | "consent" | "select_account";
}

/** The outcome of {@link OidcClient.completeSignIn}. */
export type SignInResult =
  | { ok: true; identity: OidcIdentity; tokens: OidcTokens }
  | { ok: false; code: SignInErrorCode; message: string; providerError?: string };

/** A relying party for one OpenID Provider. */
export interface OidcClient {
  readonly issuer: string;
  /** Provider metadata, fetched once through `fetch` and cached for 24 hours. */
  discover(): Promise<ProviderMetadata>;
  /** The URL to redirect the browser to (response_type=code, PKCE S256, state, nonce). */
  createAuthorizationRequest(options: AuthorizationRequestOptions): Promise<URL>;
  /** The token request for the callback's `code`, built but not sent. */
  createTokenRequest(options: { code: string; codeVerifier: string }): Promise<Request>;
  /** Sends the token request; a refused grant is a value, a provider failure throws `OidcProviderError`. */
  exchangeCode(options: { code: string; codeVerifier: string }): Promise<TokenExchangeResult>;
  /** Verifies an ID token (signature, iss, aud, exp/iat, nonce, email_verified, domains). */
  verifyIdToken(idToken: string, options: { nonce: string }): Promise<IdTokenResult>;
  /** `exchangeCode` then `verifyIdToken`: the whole callback after the caller checked `state`. */
  completeSignIn(options: {
    code: string;
    codeVerifier: string;
    expectedNonce: string;
  }): Promise<SignInResult>;
}

/** How a provider's URLs are found and its authorization URL built (discovery vs. Google's fixed ones). */
export interface ProviderProfile {
  acceptedIssuers: readonly string[];
  loadMetadata?: () => ProviderMetadata;
  buildAuthorizationUrl?: (
    metadata: ProviderMetadata,
    options: AuthorizationRequestOptions,
    scopes: string[],
  ) => URL;
}

const DISCOVERY_TTL_MS = 24 * 60 * 60 * 1000;
const MIN_RANDOM_PARAM_LENGTH = 22;

function assertPositiveInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
}

function assertNonEmpty(name: string, value: unknown, hint: string): void {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${name} is required (${hint})`);
}

function assertRandomParam(name: string, value: string, generator: string): void {
  if (typeof value !== "string" || value.length < MIN_RANDOM_PARAM_LENGTH) {
    throw new RangeError(
      `${name} must be at least ${MIN_RANDOM_PARAM_LENGTH} random characters; use ${generator}()`,
    );
  }
}

function chooseAuthMethod(
  metadata: ProviderMetadata,
  preferred?: TokenEndpointAuthMethod,
): TokenEndpointAuthMethod {
  if (preferred !== undefined) return preferred;
  const methods = metadata.tokenEndpointAuthMethods;
  return methods.includes("client_secret_basic") || !methods.includes("client_secret_post")
    ? "client_secret_basic"
    : "client_secret_post";
}

/** Adds the OIDC parameters arctic does not set (OIDC Core 1.0 §3.1.2.1). */
export function addOidcParameters(url: URL, options: AuthorizationRequestOptions): URL {
  url.searchParams.set("nonce", options.nonce);
  if (options.loginHint !== undefined) url.searchParams.set("login_hint", options.loginHint);
  if (options.prompt !== undefined) url.searchParams.set("prompt", options.prompt);
  return url;
}

/** Shared by `createOidcClient` and `createGoogleClient`. */
export function buildOidcClient(options: OidcClientOptions, profile: ProviderProfile): OidcClient {
  assertIssuer(options.issuer);
  assertNonEmpty("clientId", options.clientId, "OIDC_CLIENT_ID / GOOGLE_CLIENT_ID");
  assertNonEmpty("clientSecret", options.clientSecret, "OIDC_CLIENT_SECRET / GOOGLE_CLIENT_SECRET");
  assertNonEmpty("redirectUri", options.redirectUri, "the callback URL registered at the provider");
  if (typeof options.fetch !== "function") throw new TypeError("fetch is required: pass globalThis.fetch");
  if (typeof options.now !== "function") throw new TypeError("now is required: pass () => new Date()");
  const allowedDomains = normalizeAllowedDomains(options.allowedDomains);
  const scopes = [...(options.scopes ?? ["openid", "email", "profile"])];
  if (!scopes.includes("openid") || !scopes.includes("email")) {
    throw new RangeError("scopes must include 'openid' and 'email' (the domain rule needs the email claim)");
  }
  const clockSkewSeconds = options.clockSkewSeconds ?? 60;
  assertPositiveInteger("clockSkewSeconds", clockSkewSeconds, 300);
  const maxAgeSeconds = options.maxIdTokenAgeSeconds ?? 600;
  assertPositiveInteger("maxIdTokenAgeSeconds", maxAgeSeconds, 86_400);
  const jwksTtlSeconds = options.jwksCacheTtlSeconds ?? 600;
  assertPositiveInteger("jwksCacheTtlSeconds", jwksTtlSeconds, 86_400);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  assertPositiveInteger("requestTimeoutMs", timeoutMs, 300_000);
  const { fetch, now, issuer } = options;

  let metadata: { value: ProviderMetadata; fetchedAtMs: number } | null = null;
  let pendingDiscovery: Promise<ProviderMetadata> | null = null;

  async function fetchMetadata(): Promise<ProviderMetadata> {
    const request = createDiscoveryRequest(issuer);
    const response = await sendRequest(fetch, request, timeoutMs);
    if (response.status !== 200) {
      await discardBody(response);
      throw new OidcProviderError(`discovery at ${request.url} answered ${response.status}`, {
        url: request.url,
        status: response.status,
      });
    }
    return parseProviderMetadata(await readJsonObject(response, request.url), issuer, request.url);
  }

  function discover(): Promise<ProviderMetadata> {
    if (profile.loadMetadata) return Promise.resolve(profile.loadMetadata());
    if (metadata !== null && now().getTime() - metadata.fetchedAtMs < DISCOVERY_TTL_MS) {
      return Promise.resolve(metadata.value);
    }
    pendingDiscovery ??= fetchMetadata()
      .then((value) => {
        metadata = { value, fetchedAtMs: now().getTime() };
        return value;
      })
      .finally(() => {
        pendingDiscovery = null;
      });
    return pendingDiscovery;
  }

  const jwks = createJwksCache({
    resolveJwksUri: async () => (await discover()).jwksUri,
    fetch,
    now,
    ttlSeconds: jwksTtlSeconds,
    timeoutMs,
  });
  const arctic = new OAuth2Client(options.clientId, options.clientSecret, options.redirectUri);

  async function buildTokenRequest(code: string, codeVerifier: string): Promise<Request> {
    const provider = await discover();
    return createTokenRequest({
      tokenEndpoint: provider.tokenEndpoint,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      code,
      codeVerifier,
      authMethod: chooseAuthMethod(provider, options.tokenEndpointAuthMethod),
    });
  }

  async function exchangeCode(input: { code: string; codeVerifier: string }): Promise<TokenExchangeResult> {
    // `code` comes from the browser: a missing one is a refused sign-in, not a programming error.
    if (typeof input.code !== "string" || input.code.length === 0) {
      return {
        ok: false,
        code: "TOKEN_EXCHANGE_FAILED",
        providerError: "invalid_request",
        message: "callback has no code",
      };
    }
    const request = await buildTokenRequest(input.code, input.codeVerifier);
    const response = await sendRequest(fetch, request, timeoutMs);
    if (response.status !== 200 && response.status !== 400 && response.status !== 401) {
      await discardBody(response);
      throw new OidcProviderError(`token endpoint ${request.url} answered ${response.status}`, {
        url: request.url,
        status: response.status,
      });
    }
    return parseTokenResponse(response.status, await readJsonObject(response, request.url), request.url);
  }

  function verifyIdToken(idToken: string, input: { nonce: string }): Promise<IdTokenResult> {
    return checkIdToken(idToken, input.nonce, {
      issuer,
      acceptedIssuers: profile.acceptedIssuers,
      clientId: options.clientId,
      allowedDomains,
      requireHostedDomain: options.requireHostedDomain ?? false,
      clockSkewSeconds,
      maxAgeSeconds,
      now,
      jwks,
    });
  }

  return {
    issuer,
    discover,
    async createAuthorizationRequest(input) {
      assertRandomParam("state", input.state, "generateState");
      assertRandomParam("nonce", input.nonce, "generateNonce");
      assertCodeVerifier(input.codeVerifier);
      const provider = await discover();
      if (profile.buildAuthorizationUrl) return profile.buildAuthorizationUrl(provider, input, scopes);
      // RFC 7636 §4.3: only the S256 challenge goes to the browser; the verifier stays server-side.
      const url = arctic.createAuthorizationURLWithPKCE(
        provider.authorizationEndpoint,
        input.state,
        CodeChallengeMethod.S256,
        input.codeVerifier,
        scopes,
      );
      return addOidcParameters(url, input);
    },
    createTokenRequest: (input) => buildTokenRequest(input.code, input.codeVerifier),
    exchangeCode,
    verifyIdToken,
    async completeSignIn(input) {
      if (typeof input.expectedNonce !== "string" || input.expectedNonce.length === 0) {
        throw new TypeError("expectedNonce must be the nonce stored when the sign-in began");
      }
      const exchanged = await exchangeCode({ code: input.code, codeVerifier: input.codeVerifier });
      if (!exchanged.ok) return exchanged;
      const verified = await verifyIdToken(exchanged.tokens.idToken, { nonce: input.expectedNonce });
      if (!verified.ok) return verified;
      return { ok: true, identity: verified.identity, tokens: exchanged.tokens };
    },
  };
}

/**
 * A sign-in client for any OpenID Provider found by issuer URL (Okta, Entra ID, Keycloak, Google, …).
 * Authorization code flow with PKCE S256, `state` and `nonce`; ID tokens verified against the provider's
 * JWKS. Nothing is sent at construction; the first call discovers the provider.
 *
 * @example
 * const oidc = createOidcClient({
 *   issuer: "https://login.example.okta.com", clientId, clientSecret,
 *   redirectUri: "https://gateway.example.com/api/v1/auth/callback",
 *   fetch: globalThis.fetch, now: () => new Date(), allowedDomains: ["example.com"],
 * });
 */
export function createOidcClient(options: OidcClientOptions): OidcClient {
  return buildOidcClient(options, { acceptedIssuers: [options.issuer] });
}
