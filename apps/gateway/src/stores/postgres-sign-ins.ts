/**
 * Sign-in attempts and CLI grants in PostgreSQL. Each single-use step (take an attempt, resolve a grant,
 * consume a grant) is one statement whose WHERE clause only one concurrent caller can satisfy.
 */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { cliGrants, signInAttempts } from "../db/schema.js";
import { isUuid } from "./errors.js";
import type { CliGrant, SignInAttempt, SignInStore } from "./types.js";

type AttemptRow = typeof signInAttempts.$inferSelect;
type CliGrantRow = typeof cliGrants.$inferSelect;

/** The sign-in store over drizzle (PGlite or postgres.js). */
export function createPostgresSignInStore(db: GatewayDatabase): SignInStore {
  return {
    async saveAttempt(attempt: SignInAttempt): Promise<void> {
      await db.insert(signInAttempts).values({
        stateHash: attempt.stateHash,
        nonce: attempt.nonce,
        codeVerifier: attempt.codeVerifier,
        flow: attempt.flow,
        returnTo: attempt.returnTo,
        cliCodeChallenge: attempt.cliCodeChallenge,
        deviceName: attempt.deviceName,
        createdAt: attempt.createdAt,
        expiresAt: attempt.expiresAt,
      });
    },

    async takeAttempt(stateHash: string, now: Date): Promise<SignInAttempt | null> {
      // Deleted whether or not it has expired: an expired state must not be retried either.
      const [row] = await db
        .delete(signInAttempts)
        .where(eq(signInAttempts.stateHash, stateHash))
        .returning();
      if (row === undefined || row.expiresAt.getTime() <= now.getTime()) return null;
      return toAttempt(row);
    },

    async saveCliGrant(grant: Omit<CliGrant, "lastPolledAt">): Promise<void> {
      if (grant.userCode !== null && grant.userCode !== grant.userCode.toUpperCase()) {
        throw new TypeError(
          `user codes are stored uppercase so lookups can ignore case; pass ${grant.userCode.toUpperCase()}`,
        );
      }
      assertUserId(grant.userId);
      await db.insert(cliGrants).values({
        codeHash: grant.codeHash,
        kind: grant.kind,
        userCode: grant.userCode,
        codeChallenge: grant.codeChallenge,
        deviceName: grant.deviceName,
        userId: grant.userId,
        status: grant.status,
        createdAt: grant.createdAt,
        expiresAt: grant.expiresAt,
      });
    },

    async findCliGrantByUserCode(userCode: string, now: Date): Promise<CliGrant | null> {
      const [row] = await db
        .select()
        .from(cliGrants)
        .where(and(eq(cliGrants.userCode, userCode.toUpperCase()), gt(cliGrants.expiresAt, now)))
        .limit(1);
      return row === undefined ? null : toCliGrant(row);
    },

    async findCliGrant(codeHash: string): Promise<CliGrant | null> {
      const [row] = await db.select().from(cliGrants).where(eq(cliGrants.codeHash, codeHash)).limit(1);
      return row === undefined ? null : toCliGrant(row);
    },

    async resolveCliGrant(
      codeHash: string,
      outcome: { status: "approved" | "denied"; userId: string | null },
      now: Date,
    ): Promise<boolean> {
      if (outcome.status === "approved" && outcome.userId === null) {
        throw new TypeError("an approved CLI grant needs the userId of the person who approved it");
      }
      assertUserId(outcome.userId);
      const rows = await db
        .update(cliGrants)
        .set({ status: outcome.status, userId: outcome.userId })
        .where(
          and(
            eq(cliGrants.codeHash, codeHash),
            eq(cliGrants.status, "pending"),
            gt(cliGrants.expiresAt, now),
          ),
        )
        .returning({ codeHash: cliGrants.codeHash });
      return rows.length === 1;
    },

    async consumeCliGrant(codeHash: string, now: Date): Promise<CliGrant | null> {
      const [row] = await db
        .update(cliGrants)
        .set({ status: "consumed" })
        .where(
          and(
            eq(cliGrants.codeHash, codeHash),
            eq(cliGrants.status, "approved"),
            gt(cliGrants.expiresAt, now),
          ),
        )
        .returning();
      // The WHERE clause guarantees it was approved a moment ago; report it as it was.
      return row === undefined ? null : { ...toCliGrant(row), status: "approved" };
    },

    async recordPoll(codeHash: string, at: Date): Promise<Date | null> {
      // Row-locking read in the same statement, so two concurrent polls each see the other's time.
      const previous = db
        .select({ codeHash: cliGrants.codeHash, lastPolledAt: cliGrants.lastPolledAt })
        .from(cliGrants)
        .where(eq(cliGrants.codeHash, codeHash))
        .for("update")
        .as("previous");
      const [row] = await db
        .update(cliGrants)
        .set({ lastPolledAt: sql`greatest(${previous.lastPolledAt}, ${at.toISOString()}::timestamptz)` })
        .from(previous)
        .where(eq(cliGrants.codeHash, previous.codeHash))
        .returning({ previous: previous.lastPolledAt });
      return row?.previous ?? null;
    },

    async prune(now: Date): Promise<number> {
      const attempts = await db
        .delete(signInAttempts)
        .where(lte(signInAttempts.expiresAt, now))
        .returning({ stateHash: signInAttempts.stateHash });
      const grants = await db
        .delete(cliGrants)
        .where(lte(cliGrants.expiresAt, now))
        .returning({ codeHash: cliGrants.codeHash });
      return attempts.length + grants.length;
    },
  };
}

// A user id that is not a UUID names nobody; say so instead of letting PostgreSQL fail on the cast.
function assertUserId(userId: string | null): void {
  if (userId !== null && !isUuid(userId)) {
    throw new TypeError(`userId must be a user's id (a UUID), got ${JSON.stringify(userId)}`);
  }
}

function toAttempt(row: AttemptRow): SignInAttempt {
  return {
    stateHash: row.stateHash,
    nonce: row.nonce,
    codeVerifier: row.codeVerifier,
    flow: row.flow as SignInAttempt["flow"],
    returnTo: row.returnTo,
    cliCodeChallenge: row.cliCodeChallenge,
    deviceName: row.deviceName,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

function toCliGrant(row: CliGrantRow): CliGrant {
  return {
    codeHash: row.codeHash,
    kind: row.kind as CliGrant["kind"],
    userCode: row.userCode,
    codeChallenge: row.codeChallenge,
    deviceName: row.deviceName,
    userId: row.userId,
    status: row.status as CliGrant["status"],
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastPolledAt: row.lastPolledAt,
  };
}
