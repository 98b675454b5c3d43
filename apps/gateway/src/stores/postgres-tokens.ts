/** API tokens in PostgreSQL. Lookups by hash use the unique index on `token_hash`. */
import type { Grant } from "@rack-gateway/rbac";
import { and, desc, eq, isNull, lte, or } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { apiTokens } from "../db/schema.js";
import type { ApiTokenRecord, NewApiToken, TokenStore } from "./types.js";

// An id that is not a UUID can name no token; PostgreSQL would reject it with an error instead.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type TokenRow = typeof apiTokens.$inferSelect;

/** The token store over drizzle (PGlite or postgres.js). */
export function createPostgresTokenStore(db: GatewayDatabase): TokenStore {
  return {
    async create(token: NewApiToken): Promise<ApiTokenRecord> {
      const [row] = await db
        .insert(apiTokens)
        .values({
          name: token.name,
          tokenHash: token.tokenHash,
          displayPrefix: token.displayPrefix,
          grants: token.grants,
          createdBy: token.createdBy,
          createdByUserId: token.createdByUserId ?? null,
          createdByTokenId: token.createdByTokenId ?? null,
          createdAt: token.createdAt,
          expiresAt: token.expiresAt,
        })
        .returning();
      return toRecord(row!);
    },

    async findByHash(tokenHash: string): Promise<ApiTokenRecord | null> {
      const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, tokenHash)).limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async findById(id: string): Promise<ApiTokenRecord | null> {
      if (!UUID_PATTERN.test(id)) return null;
      const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
      return row === undefined ? null : toRecord(row);
    },

    async list(): Promise<ApiTokenRecord[]> {
      const rows = await db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
      return rows.map(toRecord);
    },

    async revoke(id: string, at: Date): Promise<boolean> {
      if (!UUID_PATTERN.test(id)) return false;
      const rows = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length === 1;
    },

    async recordUse(id: string, at: Date, ip: string | null): Promise<void> {
      if (!UUID_PATTERN.test(id)) return;
      // Requests finish out of order: never move last-used back in time.
      await db
        .update(apiTokens)
        .set({ lastUsedAt: at, lastUsedIp: ip })
        .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, at))));
    },
  };
}

function toRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.tokenHash,
    displayPrefix: row.displayPrefix,
    grants: row.grants as readonly Grant[],
    createdBy: row.createdBy,
    createdByUserId: row.createdByUserId,
    createdByTokenId: row.createdByTokenId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
  };
}
