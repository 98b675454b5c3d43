/**
 * Bounds on what one identity, or everyone together, may hold open on the rack proxy at once. Each open call holds
 * a connection (or a websocket) to the rack, and a buffered answer holds memory: without a bound, one token could
 * use up the pool or the heap for every other caller (stalled uploads, thousands of log streams, parallel release
 * lists being masked).
 */
import type { Principal } from "@rack-gateway/rbac";
import { GatewayError } from "../http/errors.js";

export interface ConcurrencyLimiter {
  /** Takes a slot for `key`; returns its release (idempotent), or null when `key` already holds `limit` slots. */
  tryAcquire(key: string): (() => void) | null;
  readonly limit: number;
}

export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  if (!(Number.isInteger(limit) && limit > 0))
    throw new RangeError("createConcurrencyLimiter: limit must be > 0");
  const held = new Map<string, number>();
  return {
    limit,
    tryAcquire(key) {
      const count = held.get(key) ?? 0;
      if (count >= limit) return null;
      held.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(key) ?? 1) - 1;
        if (left <= 0) held.delete(key);
        else held.set(key, left);
      };
    },
  };
}

/** A rack call's slot for this identity: its release, or the 429 to answer when the identity holds them all. */
export function takeCallSlot(limiter: ConcurrencyLimiter, principal: Principal): (() => void) | GatewayError {
  return (
    limiter.tryAcquire(`${principal.kind}:${principal.id}`) ??
    new GatewayError(
      429,
      "RATE_LIMITED",
      `too many rack calls in flight for this identity (at most ${limiter.limit} at once)`,
    )
  );
}

export interface Semaphore {
  /** Waits for a slot; resolves to its release (idempotent). Waiters are served in arrival order. */
  acquire(): Promise<() => void>;
}

export function createSemaphore(slots: number): Semaphore {
  if (!(Number.isInteger(slots) && slots > 0)) throw new RangeError("createSemaphore: slots must be > 0");
  let free = slots;
  const waiting: Array<() => void> = [];
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next) next();
      else free++;
    };
  };
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve) => waiting.push(() => resolve(releaser())));
    },
  };
}
