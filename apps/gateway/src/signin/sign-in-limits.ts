/**
 * Rate limits on failed sign-ins, in the database so every replica counts together. Per client address
 * (10 failures per 15 minutes) and per account (5 per 15 minutes). Over a limit, a sign-in is refused before
 * the identity provider is contacted (address), or before a session is made (account, known only after the
 * provider answered). Refusals for being over a limit are not failures themselves: they never extend a block.
 */
import type { RateLimitStore } from "../stores/types.js";

export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_FAILURE_LIMITS = { ip: 10, account: 5 } as const;
/** Wrong device-flow user codes a person may enter per window (RFC 8628 §5.1 brute force). */
export const USER_CODE_MISS_LIMIT = 10;
/** Device-flow starts per client address per window (each one stores a pending grant). */
export const DEVICE_START_LIMIT = 30;

const ipKey = (ip: string | null) => `signin-failure:ip:${ip ?? "unknown"}`;
const accountKey = (email: string) => `signin-failure:account:${email.toLowerCase()}`;

export interface SignInLimiter {
  /** Which limit a new attempt from `ip` (and for `email`, once known) is over, if any. */
  blocked(ip: string | null, email: string | null, now: Date): Promise<"ip" | "account" | null>;
  recordFailure(ip: string | null, email: string | null, now: Date): Promise<void>;
  /** Counts one hit on a named limit; true while at or under `limit`. */
  allow(key: string, limit: number, now: Date): Promise<boolean>;
  /** True while `key` is under `limit` (no hit). */
  isUnder(key: string, limit: number, now: Date): Promise<boolean>;
}

export function createSignInLimiter(store: RateLimitStore): SignInLimiter {
  return {
    async blocked(ip, email, now) {
      if ((await store.peek(ipKey(ip), SIGN_IN_FAILURE_WINDOW_MS, now)) >= SIGN_IN_FAILURE_LIMITS.ip)
        return "ip";
      if (
        email !== null &&
        (await store.peek(accountKey(email), SIGN_IN_FAILURE_WINDOW_MS, now)) >=
          SIGN_IN_FAILURE_LIMITS.account
      )
        return "account";
      return null;
    },
    async recordFailure(ip, email, now) {
      await store.hit(ipKey(ip), SIGN_IN_FAILURE_WINDOW_MS, now);
      if (email !== null) await store.hit(accountKey(email), SIGN_IN_FAILURE_WINDOW_MS, now);
    },
    async allow(key, limit, now) {
      return (await store.hit(key, SIGN_IN_FAILURE_WINDOW_MS, now)) <= limit;
    },
    async isUnder(key, limit, now) {
      return (await store.peek(key, SIGN_IN_FAILURE_WINDOW_MS, now)) < limit;
    },
  };
}
