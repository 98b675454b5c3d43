/**
 * Deletes rows nothing will read again — rate-limit windows too old to weigh in any limit, sign-in attempts and
 * CLI grants past their expiry — so those tables do not grow for as long as the gateway runs. Every replica may
 * prune: the deletes are idempotent.
 */
import type { RateLimitStore, SignInStore } from "./types.js";

export interface PrunerOptions {
  readonly rateLimits: RateLimitStore;
  readonly signIns: SignInStore;
  /** The longest rate-limit window in use: a window that ended less than this long ago still weighs in. */
  readonly longestRateWindowMs: number;
  readonly intervalMs: number;
  readonly now: () => Date;
  readonly logError: (message: string, error: unknown) => void;
}

export interface Pruner {
  /** Prunes once; resolves to the number of rows deleted. */
  pruneNow(): Promise<number>;
  /** Stops the timer and waits for a prune in progress (so the database can be closed after it). */
  stop(): Promise<void>;
}

/** Starts pruning every `intervalMs`. The timer never keeps the process alive on its own. */
export function startPruner(options: PrunerOptions): Pruner {
  if (!(options.intervalMs > 0)) throw new RangeError("startPruner: intervalMs must be a positive number");
  let running: Promise<number> | null = null;
  const pruneNow = () => {
    running ??= (async () => {
      try {
        const now = options.now();
        const rateWindows = await options.rateLimits.prune(
          new Date(now.getTime() - options.longestRateWindowMs),
        );
        return rateWindows + (await options.signIns.prune(now));
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => {
    pruneNow().catch((error: unknown) => options.logError("pruning expired rows failed", error));
  }, options.intervalMs);
  timer.unref();
  return {
    pruneNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
