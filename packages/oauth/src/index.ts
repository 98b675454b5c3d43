/** @module @rack-gateway/oauth — Google Workspace and generic OIDC sign-in: PKCE, ID-token checks, domain rule */
export type { ProviderMetadata } from "./discovery.js";
export { createDiscoveryRequest } from "./discovery.js";
export { OidcProviderError } from "./errors.js";
export type { GoogleClientOptions } from "./google-client.js";
export { createGoogleClient, GOOGLE_ISSUER, GOOGLE_PROVIDER_METADATA } from "./google-client.js";
export type { FetchLike } from "./http.js";
export type { IdTokenResult, OidcIdentity, SignInErrorCode } from "./id-token.js";
export { ID_TOKEN_ALGORITHMS } from "./id-token.js";
export type {
  AuthorizationRequestOptions,
  OidcClient,
  OidcClientOptions,
  SignInResult,
} from "./oidc-client.js";
export { createOidcClient } from "./oidc-client.js";
export type { RandomBytes } from "./random-values.js";
export {
  createS256CodeChallenge,
  generateCodeVerifier,
  generateNonce,
  generateState,
  verifyState,
} from "./random-values.js";
export type {
  OidcTokens,
  TokenEndpointAuthMethod,
  TokenExchangeResult,
  TokenRequestOptions,
} from "./token-request.js";
export { createTokenRequest } from "./token-request.js";
