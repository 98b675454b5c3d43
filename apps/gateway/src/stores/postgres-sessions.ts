/**
 * Sessions in PostgreSQL. Every check-and-change (touch, revoke) is one conditional UPDATE, so replicas
 * racing on one session agree on the outcome.
 */
import { and, desc, eq, gt, gte, isNull, type SQL, sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { sessions } from "../db/schema.js";
import { isUuid } from "./errors.js";
import type { NewSession, SessionRecord, SessionStore } from "./types.js";

type SessionRow = typeof sessions.$inferSelect;

const newestFirst = [desc(sessions.createdAt), desc(sessions.id)] as const;

// Usable at `now`: not revoked and `expiresAt` still ahead (a session expiring exactly now is over).
function activeAt(now: Date): SQL {
  return and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now))!;
}

/** The session store over drizzle (PGlite or postgres.js). */
export function createPostgresSessionStore(db: GatewayDatabase): SessionStore {
  return {
    async create(session: NewSession): Promise<SessionRecord> {
      const [row] = await db
        .insert(sessions)
        .values({
          userId: session.userId,
          tokenHash: session.tokenHash,
          channel: session.channel,
          deviceName: session.deviceName,
          ip: session.ip,
          userAgent: session.userAgent,
          createdAt: session.createdAt,
          lastSeenAt: session.createdAt,
          expiresAt: session.expiresAt,
        })
        .returning();
      return toRecord(row!);
    },

    async findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
      const [row] = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async findById(id: string): Promise<SessionRecord | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async listForUser(
      userId: string,
      options: { activeOnly?: boolean; now?: Date } = {},
    ): Promise<SessionRecord[]> {
      if (options.activeOnly === true && options.now === undefined) {
        throw new TypeError("listForUser({ activeOnly: true }) needs `now` to tell expired sessions apart");
      }
      if (!isUuid(userId)) return [];
      const forUser = eq(sessions.userId, userId);
      const rows = await db
        .select()
        .from(sessions)
        .where(options.activeOnly === true && options.now ? and(forUser, activeAt(options.now)) : forUser)
        .orderBy(...newestFirst);
      return rows.map(toRecord);
    },

    async listActive(now: Date): Promise<SessionRecord[]> {
      const rows = await db
        .select()
        .from(sessions)
        .where(activeAt(now))
        .orderBy(...newestFirst);
      return rows.map(toRecord);
    },

    async touch(id: string, at: Date, idleCutoff: Date): Promise<boolean> {
      if (!isUuid(id)) return false;
      // Requests finish out of order: greatest() never moves lastSeenAt back.
      const rows = await db
        .update(sessions)
        .set({ lastSeenAt: sql`greatest(${sessions.lastSeenAt}, ${at.toISOString()}::timestamptz)` })
        .where(and(eq(sessions.id, id), activeAt(at), gte(sessions.lastSeenAt, idleCutoff)))
        .returning({ id: sessions.id });
      return rows.length === 1;
    },

    async revoke(id: string, reason: string, at: Date): Promise<boolean> {
      if (!isUuid(id)) return false;
      const rows = await db
        .update(sessions)
        .set({ revokedAt: at, revokedReason: reason })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length === 1;
    },

    async revokeAllForUser(userId: string, reason: string, at: Date): Promise<number> {
      if (!isUuid(userId)) return 0;
      const rows = await db
        .update(sessions)
        .set({ revokedAt: at, revokedReason: reason })
        .where(and(eq(sessions.userId, userId), activeAt(at)))
        .returning({ id: sessions.id });
      return rows.length;
    },

    async revokeAll(reason: string, at: Date): Promise<number> {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: at, revokedReason: reason })
        .where(activeAt(at))
        .returning({ id: sessions.id });
      return rows.length;
    },
  };
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    tokenHash: row.tokenHash,
    channel: row.channel as SessionRecord["channel"],
    deviceName: row.deviceName,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    revokedReason: row.revokedReason,
  };
}
