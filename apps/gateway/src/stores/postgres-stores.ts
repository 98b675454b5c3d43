/** Every store over one drizzle handle. */
import { sql } from "drizzle-orm";
import type { ChangeFeed } from "../db/change-feed.js";
import type { GatewayDatabase, StatementRunner } from "../db/database.js";
import { createPostgresAuditStore } from "./postgres-audit.js";
import { createPostgresRateLimitStore } from "./postgres-rate-limits.js";
import { createPostgresSessionStore } from "./postgres-sessions.js";
import { createPostgresSettingsStore } from "./postgres-settings.js";
import { createPostgresSignInStore } from "./postgres-sign-ins.js";
import { createPostgresTokenStore } from "./postgres-tokens.js";
import { createPostgresUserStore } from "./postgres-users.js";
import type { Stores } from "./types.js";

/**
 * Wraps the named methods so that each, once it has changed the database, publishes on the change feed: every
 * cache of credentials or settings, in every process, learns of it. Done here, at the store, so that no caller
 * can change a credential and forget to say so.
 */
function publishingChanges<T extends object>(
  store: T,
  methods: ReadonlyArray<keyof T>,
  changes: ChangeFeed,
): T {
  const wrapped = { ...store };
  for (const name of methods) {
    const method = store[name] as unknown as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
      const result = await method.apply(store, args);
      await changes.publish();
      return result;
    };
  }
  return wrapped;
}

/** Builds the stores on an already-migrated database; `close` releases whatever owns the connection. */
export function createPostgresStores(
  db: GatewayDatabase,
  close: () => Promise<void>,
  changes: ChangeFeed,
  runStatement: StatementRunner,
): Stores {
  return {
    tokens: publishingChanges(createPostgresTokenStore(db), ["revoke"], changes),
    audit: createPostgresAuditStore(db, runStatement),
    rateLimits: createPostgresRateLimitStore(db),
    settings: publishingChanges(createPostgresSettingsStore(db), ["set", "delete"], changes),
    users: publishingChanges(
      createPostgresUserStore(db),
      ["setGrants", "setName", "lock", "unlock", "lockAllNonAdmins", "delete"],
      changes,
    ),
    sessions: publishingChanges(
      createPostgresSessionStore(db),
      ["revoke", "revokeAllForUser", "revokeAll"],
      changes,
    ),
    signIns: createPostgresSignInStore(db),
    changes,
    async ping(): Promise<void> {
      await db.execute(sql`SELECT 1`);
    },
    close,
  };
}
