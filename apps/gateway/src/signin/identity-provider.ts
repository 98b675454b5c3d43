/**
 * Builds the sign-in client from the configuration: Google Workspace or any OIDC issuer, redirecting back to
 * `${GATEWAY_URL}/auth/callback`. Null without a provider: sign-in routes then answer SIGN_IN_NOT_CONFIGURED.
 */
import { createGoogleClient, createOidcClient, type OidcClient } from "@rack-gateway/oauth";
import type { PeopleConfig } from "../config/config.js";

export const CALLBACK_PATH = "/auth/callback";

export function createIdentityProviderClient(
  provider: PeopleConfig["identityProvider"],
  options: { gatewayUrl: string | null; fetch: typeof fetch; now: () => Date },
): OidcClient | null {
  if (provider === null) return null;
  if (options.gatewayUrl === null)
    throw new TypeError("GATEWAY_URL is required with an identity provider (config validation ensures it)");
  const redirectUri = `${options.gatewayUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;
  const common = {
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri,
    allowedDomains: provider.allowedDomains,
    fetch: options.fetch,
    now: options.now,
  };
  return provider.kind === "google"
    ? createGoogleClient(common)
    : createOidcClient({ ...common, issuer: provider.issuer });
}
