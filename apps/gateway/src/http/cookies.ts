/**
 * The session cookie: `__Host-` prefixed (so it is host-only, Path=/ and Secure — no subdomain can set or read
 * it), HttpOnly, SameSite=Strict. Only in explicit local development (SECURE_COOKIES=false in development mode)
 * does it drop Secure, and then also the `__Host-` prefix, which browsers reject without Secure.
 *
 * The sign-in binding cookie is SameSite=Lax: it must come back on the identity provider's top-level redirect,
 * which is a cross-site navigation.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export interface CookiePolicy {
  readonly secure: boolean;
}

export const sessionCookieName = (policy: CookiePolicy) =>
  policy.secure ? "__Host-rgw_session" : "rgw_session";
export const signInCookieName = (policy: CookiePolicy) =>
  policy.secure ? "__Host-rgw_signin" : "rgw_signin";

export function readSessionCookie(c: Context, policy: CookiePolicy): string | undefined {
  return getCookie(c, sessionCookieName(policy));
}

export function writeSessionCookie(
  c: Context,
  policy: CookiePolicy,
  token: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, sessionCookieName(policy), token, {
    path: "/",
    httpOnly: true,
    secure: policy.secure,
    sameSite: "Strict",
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context, policy: CookiePolicy): void {
  deleteCookie(c, sessionCookieName(policy), {
    path: "/",
    secure: policy.secure,
    httpOnly: true,
    sameSite: "Strict",
  });
}

export function writeSignInCookie(
  c: Context,
  policy: CookiePolicy,
  value: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, signInCookieName(policy), value, {
    path: "/",
    httpOnly: true,
    secure: policy.secure,
    sameSite: "Lax",
    maxAge: maxAgeSeconds,
  });
}

export function readSignInCookie(c: Context, policy: CookiePolicy): string | undefined {
  return getCookie(c, signInCookieName(policy));
}

export function clearSignInCookie(c: Context, policy: CookiePolicy): void {
  deleteCookie(c, signInCookieName(policy), {
    path: "/",
    secure: policy.secure,
    httpOnly: true,
    sameSite: "Lax",
  });
}
