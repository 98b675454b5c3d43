/**
 * CSRF protection for cookie-authenticated mutations: a token bound to the session (HMAC of the session id under
 * APP_SECRET_KEY — nothing extra to store), sent back in the `X-CSRF-Token` header (SPA, CLI-less fetch) or a
 * `_csrf` form field (server-rendered pages), plus an Origin check. SameSite=Strict already stops most cross-site
 * requests; this is the second, independent layer.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export function csrfTokenFor(appSecretKey: Uint8Array, sessionId: string): string {
  return createHmac("sha256", appSecretKey).update(`rack-gateway csrf v1\0${sessionId}`).digest("base64url");
}

export function isValidCsrfToken(
  appSecretKey: Uint8Array,
  sessionId: string,
  presented: string | undefined,
): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(appSecretKey, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * True when the request's Origin (or, without one, its Referer) is the gateway's own origin. A missing Origin and
 * Referer on a cookie-authenticated mutation is refused: every browser that sends cookies sends one of them.
 */
export function isSameOrigin(
  expectedOrigin: string,
  origin: string | undefined,
  referer: string | undefined,
): boolean {
  const source = origin ?? referer;
  if (!source || source === "null") return false;
  try {
    return new URL(source).origin === expectedOrigin;
  } catch {
    return false;
  }
}
