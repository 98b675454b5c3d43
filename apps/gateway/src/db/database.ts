/** The drizzle handle every store takes: PGlite's and postgres.js's databases both fit it. */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

export type GatewayDatabase = PgDatabase<PgQueryResultHKT>;

/** Which engine backs the stores. */
export type DatabaseDriver = "pglite" | "postgres";

// Fixed advisory-lock keys ("rgw_migr", "rgw_audt" as big-endian ASCII), shared by every gateway process.
export const MIGRATIONS_LOCK_KEY = "8243688894666205042";
export const AUDIT_APPEND_LOCK_KEY = "8243688894465664116";
