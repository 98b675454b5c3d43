import { OAuth2Tokens } from "arctic";
import { OidcProviderError } from "./errors.js";
import { assertCodeVerifier } from "./random-values.js";

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post";

/** Inputs of {@link createTokenRequest}. */
export interface TokenRequestOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
  authMethod: TokenEndpointAuthMethod;
}

/** Tokens from a successful authorization-code exchange. */
export interface OidcTokens {
  idToken: string;
  accessToken: string;
  tokenType: string;
  /** `expires_in` from the response, or `null` when the provider omitted it. */
  accessTokenExpiresInSeconds: number | null;
  refreshToken: string | null;
  /** The granted scopes, or `null` when the provider omitted `scope`. */
  scopes: readonly string[] | null;
}

/** Result of a code exchange: the provider refusing the grant (RFC 6749 §5.2) is an expected negative. */
export type TokenExchangeResult =
  | { ok: true; tokens: OidcTokens }
  | { ok: false; code: "TOKEN_EXCHANGE_FAILED"; providerError: string; message: string };

// RFC 6749 Appendix B: the client id and secret are form-encoded before Basic encoding.
function encodeBasicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, "utf8").toString("base64");
}

/**
 * The token request of the authorization-code grant (RFC 6749 §4.1.3) with the PKCE verifier
 * (RFC 7636 §4.5). Built here, sent by the caller's `fetch`.
 */
export function createTokenRequest(options: TokenRequestOptions): Request {
  if (typeof options.code !== "string" || options.code.length === 0) {
    throw new TypeError("code must be the non-empty `code` query parameter of the callback");
  }
  assertCodeVerifier(options.codeVerifier);
  const body = new URLSearchParams();
  body.set("grant_type", "authorization_code");
  body.set("code", options.code);
  body.set("redirect_uri", options.redirectUri);
  body.set("code_verifier", options.codeVerifier);
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  });
  if (options.authMethod === "client_secret_basic") {
    headers.set("authorization", `Basic ${encodeBasicCredentials(options.clientId, options.clientSecret)}`);
  } else {
    body.set("client_id", options.clientId);
    body.set("client_secret", options.clientSecret);
  }
  return new Request(options.tokenEndpoint, { method: "POST", headers, body: body.toString() });
}

function readOptional<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Maps a token-endpoint answer to tokens, an expected refusal, or a thrown {@link OidcProviderError}. */
export function parseTokenResponse(
  status: number,
  data: Record<string, unknown>,
  url: string,
): TokenExchangeResult {
  if (status === 400 || status === 401) {
    const providerError = typeof data.error === "string" ? data.error : "unknown_error";
    const description = typeof data.error_description === "string" ? `: ${data.error_description}` : "";
    return {
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError,
      message: `token endpoint refused the code (${providerError}${description})`.slice(0, 300),
    };
  }
  if (status !== 200) {
    throw new OidcProviderError(`token endpoint ${url} answered ${status}`, { url, status });
  }
  // arctic's OAuth2Tokens reads the standard fields; required ones throw when missing or mistyped.
  const tokens = new OAuth2Tokens(data);
  let idToken: string;
  let accessToken: string;
  try {
    idToken = tokens.idToken();
    accessToken = tokens.accessToken();
  } catch (cause) {
    throw new OidcProviderError(
      `token response from ${url} lacks id_token or access_token (is 'openid' in scopes?)`,
      {
        url,
        status,
        cause,
      },
    );
  }
  return {
    ok: true,
    tokens: {
      idToken,
      accessToken,
      tokenType: readOptional(() => tokens.tokenType()) ?? "Bearer",
      accessTokenExpiresInSeconds: readOptional(() => tokens.accessTokenExpiresInSeconds()),
      refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : null,
      scopes: tokens.hasScopes() ? tokens.scopes() : null,
    },
  };
}
