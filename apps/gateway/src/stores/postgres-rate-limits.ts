/** Fixed-window rate-limit counters in PostgreSQL: one atomic upsert per hit, shared by every replica. */
import { and, eq, lte, sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { rateLimits } from "../db/schema.js";
import type { RateLimitStore } from "./types.js";

/** The rate-limit store over drizzle (PGlite or postgres.js). */
export function createPostgresRateLimitStore(db: GatewayDatabase): RateLimitStore {
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
      return row!.count;
    },

    async peek(key: string, windowMs: number, now: Date): Promise<number> {
      const { start } = windowAround(windowMs, now);
      const [row] = await db
        .select({ count: rateLimits.count })
        .from(rateLimits)
        .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, start)));
      return row?.count ?? 0;
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
