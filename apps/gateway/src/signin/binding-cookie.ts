/**
 * The sign-in binding cookie (SameSite=Lax, HttpOnly): ties a callback to the browser that started the
 * sign-in (login CSRF, RFC 6749 §10.12). It holds the `state` — the callback's `state` must equal it — and,
 * when the browser was already signed in, that session's id so the new sign-in can revoke it (rotation).
 * A MAC under APP_SECRET_KEY keeps the session id from being planted.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignInBinding {
  readonly state: string;
  readonly previousSessionId: string | null;
}

const macOf = (key: Uint8Array, state: string, sessionId: string) =>
  createHmac("sha256", key)
    .update(`rack-gateway sign-in binding v1\0${state}\0${sessionId}`)
    .digest("base64url");

export function encodeSignInBinding(key: Uint8Array, binding: SignInBinding): string {
  const sessionId = binding.previousSessionId ?? "";
  return `${binding.state}.${sessionId}.${macOf(key, binding.state, sessionId)}`;
}

export function decodeSignInBinding(key: Uint8Array, value: string | undefined): SignInBinding | null {
  if (value === undefined || value.length > 512) return null;
  const [state, sessionId, mac, ...rest] = value.split(".");
  if (state === undefined || sessionId === undefined || mac === undefined || rest.length > 0) return null;
  const expected = Buffer.from(macOf(key, state, sessionId));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { state, previousSessionId: sessionId === "" ? null : sessionId };
}
