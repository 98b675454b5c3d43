/**
 * Sliding-window rate-limit counters in PostgreSQL, shared by every replica: each hit is one atomic upsert into
 * its fixed window, and the count reported is that window's count plus the previous window's, weighted by how
 * much of the previous window still lies within the last `windowMs`. Plain fixed windows would let a client
 * spend the whole allowance at the end of one window and again at the start of the next.
 */
import { and, eq, lte, sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { rateLimits } from "../db/schema.js";
import type { RateLimitStore } from "./types.js";

/** The rate-limit store over drizzle (PGlite or postgres.js). */
export function createPostgresRateLimitStore(db: GatewayDatabase): RateLimitStore {
  const countIn = async (key: string, windowStart: Date): Promise<number> => {
    const [row] = await db
      .select({ count: rateLimits.count })
      .from(rateLimits)
      .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart)));
    return row?.count ?? 0;
  };
  // The previous window's hits, scaled by the share of it that still lies within the last windowMs.
  const previousWeighted = async (key: string, windowMs: number, now: Date, currentStart: Date) => {
    const previous = await countIn(key, new Date(currentStart.getTime() - windowMs));
    if (previous === 0) return 0;
    const overlap = 1 - (now.getTime() - currentStart.getTime()) / windowMs;
    // Rounded up: a limit errs on the side of refusing.
    return Math.ceil(previous * overlap);
  };
  return {
    async hit(key: string, windowMs: number, now: Date): Promise<number> {
      const { start, end } = windowAround(windowMs, now);
      const [row] = await db
        .insert(rateLimits)
        .values({ key, windowStart: start, windowEnd: end, count: 1 })
        .onConflictDoUpdate({
          target: [rateLimits.key, rateLimits.windowStart],
          set: { count: sql`${sql.identifier("rate_limits")}.${sql.identifier("count")} + 1` },
        })
        .returning({ count: rateLimits.count });
      return row!.count + (await previousWeighted(key, windowMs, now, start));
    },

    async peek(key: string, windowMs: number, now: Date): Promise<number> {
      const { start } = windowAround(windowMs, now);
      return (await countIn(key, start)) + (await previousWeighted(key, windowMs, now, start));
    },

    async prune(before: Date): Promise<number> {
      const rows = await db
        .delete(rateLimits)
        .where(lte(rateLimits.windowEnd, before))
        .returning({ key: rateLimits.key });
      return rows.length;
    },
  };
}

function windowAround(windowMs: number, now: Date): { start: Date; end: Date } {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`windowMs must be a positive whole number of milliseconds, got ${windowMs}`);
  }
  const startMs = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start: new Date(startMs), end: new Date(startMs + windowMs) };
}
