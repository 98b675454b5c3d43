/** The drizzle handle every store takes: PGlite's and postgres.js's databases both fit it. */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

export type GatewayDatabase = PgDatabase<PgQueryResultHKT>;

/** Which engine backs the stores. */
export type DatabaseDriver = "pglite" | "postgres";

// A fixed advisory-lock key ("rgw_migr" as big-endian ASCII), shared by every gateway process.
export const MIGRATIONS_LOCK_KEY = "8243688894666205042";

// Fixed advisory-lock key ("rgw_audt" as big-endian ASCII): held by every audit append until its commit.
export const AUDIT_APPEND_LOCK_KEY = "8243688894465664116";

/** What one statement changed and returned (bigint columns may come back as strings: convert them). */
export interface StatementResult {
  readonly count: number;
  readonly rows: readonly Record<string, unknown>[];
}

export type RunStatement = (text: string, params: readonly unknown[]) => Promise<StatementResult>;

/**
 * Hot-path statements below the query builder, as named prepared statements where the driver has them
 * (postgres.js): parsed once per connection, then one write and one round trip per call.
 */
export interface StatementRunner {
  readonly run: RunStatement;
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (run: RunStatement) => Promise<T>): Promise<T>;
}
