import { Google } from "arctic";
import type { ProviderMetadata } from "./discovery.js";
import type { OidcClient, OidcClientOptions } from "./oidc-client.js";
import { addOidcParameters, buildOidcClient } from "./oidc-client.js";

/** Google's issuer; ID tokens may also carry it without the scheme. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

/** Google's published OpenID metadata (https://accounts.google.com/.well-known/openid-configuration). */
export const GOOGLE_PROVIDER_METADATA: ProviderMetadata = Object.freeze({
  issuer: GOOGLE_ISSUER,
  authorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
  tokenEndpoint: "https://oauth2.googleapis.com/token",
  jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
  userinfoEndpoint: "https://openidconnect.googleapis.com/v1/userinfo",
  tokenEndpointAuthMethods: Object.freeze(["client_secret_post", "client_secret_basic"]),
  codeChallengeMethods: Object.freeze(["plain", "S256"]),
});

/** Options of {@link createGoogleClient}: `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`, `GOOGLE_ALLOWED_DOMAIN`. */
export type GoogleClientOptions = Omit<OidcClientOptions, "issuer" | "requireHostedDomain">;

/**
 * Google Workspace sign-in: {@link createOidcClient} with Google's fixed endpoints (no discovery request),
 * `hd` required, and the authorization URL built by arctic's `Google` class. When exactly one domain is
 * allowed it is sent as the `hd` parameter — a hint for Google's account chooser only; the check is on
 * the verified token (`hd` claim and email domain both in `allowedDomains`).
 *
 * @example
 * const google = createGoogleClient({
 *   clientId: config.GOOGLE_CLIENT_ID, clientSecret: config.GOOGLE_CLIENT_SECRET,
 *   redirectUri: "https://gateway.example.com/api/v1/auth/callback",
 *   allowedDomains: config.GOOGLE_ALLOWED_DOMAIN, fetch: globalThis.fetch, now: () => new Date(),
 * });
 */
export function createGoogleClient(options: GoogleClientOptions): OidcClient {
  const google = new Google(options.clientId, options.clientSecret, options.redirectUri);
  const singleDomain =
    options.allowedDomains.length === 1 ? options.allowedDomains[0]?.trim().toLowerCase() : undefined;
  return buildOidcClient(
    { ...options, issuer: GOOGLE_ISSUER, requireHostedDomain: true },
    {
      acceptedIssuers: [GOOGLE_ISSUER, "accounts.google.com"],
      loadMetadata: () => GOOGLE_PROVIDER_METADATA,
      buildAuthorizationUrl: (_metadata, input, scopes) => {
        const url = google.createAuthorizationURL(input.state, input.codeVerifier, scopes);
        if (singleDomain !== undefined) url.searchParams.set("hd", singleDomain);
        return addOidcParameters(url, input);
      },
    },
  );
}
