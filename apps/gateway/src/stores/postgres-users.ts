/**
 * Users in PostgreSQL. Emails are stored lowercased and unique twice over: on the column and on
 * `lower(email)`, which also serves the case-insensitive lookup.
 */
import type { Grant } from "@rack-gateway/rbac";
import { and, asc, type Column, eq, isNull, not, type SQL, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { GatewayDatabase } from "../db/database.js";
import { users } from "../db/schema.js";
import { DuplicateUserError, hasSqlState, isUuid, UNIQUE_VIOLATION } from "./errors.js";
import type { NewUser, UserRecord, UserStore } from "./types.js";

type UserRow = typeof users.$inferSelect;

// Only an unscoped admin grant spares a user in an incident: an admin of some apps is not an administrator of
// the gateway. A grants value that is not an array holds nothing: locked.
const HOLDS_ADMIN_GRANT = sql`(jsonb_typeof(${users.grants}) = 'array' AND EXISTS (
  SELECT 1 FROM jsonb_array_elements(${users.grants}) AS grant_element
  WHERE grant_element->>'role' = 'admin' AND NOT grant_element ? 'apps'))`;

/** The user store over drizzle (PGlite or postgres.js). */
export function createPostgresUserStore(db: GatewayDatabase): UserStore {
  const updateReturning = async (
    id: string,
    values: PgUpdateSetSource<typeof users>,
  ): Promise<UserRecord | null> => {
    if (!isUuid(id)) return null;
    const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning();
    return row === undefined ? null : toRecord(row);
  };

  return {
    async create(user: NewUser): Promise<UserRecord> {
      try {
        const [row] = await db
          .insert(users)
          .values({
            email: user.email.toLowerCase(),
            name: user.name,
            grants: user.grants,
            grantsSource: user.grantsSource,
            createdAt: user.createdAt,
            createdBy: user.createdBy,
            updatedAt: user.createdAt,
          })
          .returning();
        return toRecord(row!);
      } catch (error) {
        if (hasSqlState(error, UNIQUE_VIOLATION)) throw new DuplicateUserError(user.email, { cause: error });
        throw error;
      }
    },

    async findById(id: string): Promise<UserRecord | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async findByEmail(email: string): Promise<UserRecord | null> {
      const [row] = await db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email.toLowerCase()})`)
        .limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async list(): Promise<UserRecord[]> {
      const rows = await db.select().from(users).orderBy(asc(users.email));
      return rows.map(toRecord);
    },

    setGrants(id: string, grants: readonly Grant[], source: "env" | "admin", at: Date) {
      return updateReturning(id, { grants, grantsSource: source, updatedAt: at });
    },

    setName(id: string, name: string, at: Date) {
      return updateReturning(id, { name, updatedAt: at });
    },

    // Locking a locked user keeps the first lock's time, reason and author: that is what the audit trail
    // and the person unlocking need to see.
    lock(id: string, reason: string, by: string, at: Date) {
      const ifUnlocked = (value: SQL, current: Column) =>
        sql`CASE WHEN ${users.lockedAt} IS NULL THEN ${value} ELSE ${current} END`;
      return updateReturning(id, {
        lockedAt: ifUnlocked(timestamp(at), users.lockedAt),
        lockedReason: ifUnlocked(sql`${reason}::text`, users.lockedReason),
        lockedBy: ifUnlocked(sql`${by}::text`, users.lockedBy),
        updatedAt: ifUnlocked(timestamp(at), users.updatedAt),
      });
    },

    unlock(id: string, at: Date) {
      return updateReturning(id, {
        lockedAt: null,
        lockedReason: null,
        lockedBy: null,
        updatedAt: sql`CASE WHEN ${users.lockedAt} IS NULL THEN ${users.updatedAt} ELSE ${timestamp(at)} END`,
      });
    },

    async lockAllNonAdmins(reason: string, by: string, at: Date): Promise<string[]> {
      const rows = await db
        .update(users)
        .set({ lockedAt: at, lockedReason: reason, lockedBy: by, updatedAt: at })
        .where(and(isNull(users.lockedAt), not(HOLDS_ADMIN_GRANT)))
        .returning({ id: users.id });
      return rows.map((row) => row.id);
    },

    async recordSignIn(id: string, at: Date): Promise<void> {
      if (!isUuid(id)) return;
      // Sign-ins finish out of order: never move it back. greatest() ignores the NULL of a first sign-in.
      await db
        .update(users)
        .set({ lastSignInAt: sql`greatest(${users.lastSignInAt}, ${timestamp(at)})` })
        .where(eq(users.id, id));
    },

    async delete(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const rows = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      return rows.length === 1;
    },
  };
}

// A Date bound as text and cast: the drivers would otherwise each serialise a bare Date their own way.
function timestamp(at: Date): SQL {
  return sql`${at.toISOString()}::timestamptz`;
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    grants: row.grants as readonly Grant[],
    grantsSource: row.grantsSource as UserRecord["grantsSource"],
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    lockedAt: row.lockedAt,
    lockedReason: row.lockedReason,
    lockedBy: row.lockedBy,
    lastSignInAt: row.lastSignInAt,
  };
}
