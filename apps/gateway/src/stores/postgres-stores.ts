/** Every store over one drizzle handle. */
import { sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { createPostgresAuditStore } from "./postgres-audit.js";
import { createPostgresRateLimitStore } from "./postgres-rate-limits.js";
import { createPostgresSessionStore } from "./postgres-sessions.js";
import { createPostgresSettingsStore } from "./postgres-settings.js";
import { createPostgresSignInStore } from "./postgres-sign-ins.js";
import { createPostgresTokenStore } from "./postgres-tokens.js";
import { createPostgresUserStore } from "./postgres-users.js";
import type { Stores } from "./types.js";

/** Builds the stores on an already-migrated database; `close` releases whatever owns the connection. */
export function createPostgresStores(db: GatewayDatabase, close: () => Promise<void>): Stores {
  return {
    tokens: createPostgresTokenStore(db),
    audit: createPostgresAuditStore(db),
    rateLimits: createPostgresRateLimitStore(db),
    settings: createPostgresSettingsStore(db),
    users: createPostgresUserStore(db),
    sessions: createPostgresSessionStore(db),
    signIns: createPostgresSignInStore(db),
    async ping(): Promise<void> {
      await db.execute(sql`SELECT 1`);
    },
    close,
  };
}
