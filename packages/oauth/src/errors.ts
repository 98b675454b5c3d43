/**
 * The identity provider could not be reached, answered with an unexpected status, or sent a document that is
 * not what OIDC specifies (bad JSON, wrong `issuer` in discovery, a token response without `id_token`).
 * Expected sign-in refusals are never thrown: they are `{ ok: false, code }` values.
 */
export class OidcProviderError extends Error {
  override readonly name = "OidcProviderError";
  /** HTTP status when the provider answered; `undefined` when it could not be reached or the body was bad. */
  readonly status: number | undefined;
  /** The URL that was requested. */
  readonly url: string;

  constructor(message: string, options: { url: string; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.url = options.url;
    this.status = options.status;
  }
}
