/**
 * Who may sign in, decided from verified ID-token claims alone.
 *
 * Rule: the email's domain (after the last `@`, lower-cased) must equal one of the allowed domains exactly
 * (no suffix or subdomain match). The `hd` claim (Google Workspace hosted domain) must also be one of the
 * allowed domains when present, and must be present when `requireHostedDomain` is set (always for Google:
 * a personal Gmail account has no `hd`). `hd` and the email domain are each checked against the list, not
 * against each other, because a Workspace user on a secondary domain carries the primary domain in `hd`.
 *
 * The email must be printable ASCII (no spaces): people are matched to users by their lower-cased email, and
 * some non-ASCII characters fold onto ASCII ones (KELVIN SIGN U+212A lower-cases to `k`, fullwidth letters
 * NFKC-normalize to ASCII), so `\u212Aate@example.com` would otherwise sign in as `kate@example.com`.
 * Internationalized addresses (RFC 6531) are therefore refused; IDN domains work in their `xn--` form.
 */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** Lower-cases and validates allowed domains; throws `TypeError` / `RangeError` on misuse. */
export function normalizeAllowedDomains(domains: readonly string[]): readonly string[] {
  if (!Array.isArray(domains) || domains.length === 0) {
    throw new RangeError(
      "allowedDomains must list at least one domain, e.g. ['example.com'] (GOOGLE_ALLOWED_DOMAIN=example.com)",
    );
  }
  return domains.map((domain) => {
    if (typeof domain !== "string")
      throw new TypeError("allowedDomains must be strings such as 'example.com'");
    const normalized = domain.trim().toLowerCase();
    if (!DOMAIN_PATTERN.test(normalized)) {
      throw new RangeError(
        `allowedDomains entry ${JSON.stringify(domain)} is not a bare domain; write 'example.com' (no @, scheme, wildcard or dot prefix)`,
      );
    }
    return normalized;
  });
}

/** The outcome of {@link checkDomain}. */
export type DomainCheck =
  | { ok: true; email: string; hostedDomain: string | null }
  | { ok: false; code: "EMAIL_MISSING" | "EMAIL_INVALID" | "DOMAIN_NOT_ALLOWED"; message: string };

/** Applies the domain rule above to the `email` and `hd` claims. */
export function checkDomain(
  claims: { email?: unknown; hd?: unknown },
  allowedDomains: readonly string[],
  requireHostedDomain: boolean,
): DomainCheck {
  if (typeof claims.email !== "string" || claims.email.length === 0) {
    return {
      ok: false,
      code: "EMAIL_MISSING",
      message: "the ID token has no email claim (request scope 'email')",
    };
  }
  // Checked before lower-casing, which is where U+212A becomes "k".
  if (!PRINTABLE_ASCII.test(claims.email)) {
    return {
      ok: false,
      code: "EMAIL_INVALID",
      message: "the email claim holds characters other than printable ASCII",
    };
  }
  const email = claims.email.toLowerCase();
  const at = email.indexOf("@");
  if (at <= 0 || at !== email.lastIndexOf("@") || at === email.length - 1) {
    return { ok: false, code: "DOMAIN_NOT_ALLOWED", message: "the email claim is not a single-@ address" };
  }
  const emailDomain = email.slice(at + 1);
  if (!allowedDomains.includes(emailDomain)) {
    return {
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
      message: `email domain ${emailDomain} is not an allowed domain`,
    };
  }
  let hostedDomain: string | null = null;
  if (claims.hd !== undefined) {
    if (typeof claims.hd !== "string") {
      return { ok: false, code: "DOMAIN_NOT_ALLOWED", message: "the hd claim is not a string" };
    }
    hostedDomain = claims.hd.toLowerCase();
    if (!allowedDomains.includes(hostedDomain)) {
      return {
        ok: false,
        code: "DOMAIN_NOT_ALLOWED",
        message: `hosted domain (hd) ${hostedDomain} is not an allowed domain`,
      };
    }
  } else if (requireHostedDomain) {
    return {
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
      message: "the ID token has no hd claim: the account is not in a Google Workspace",
    };
  }
  return { ok: true, email, hostedDomain };
}
