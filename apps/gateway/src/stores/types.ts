/**
 * The gateway's storage ports. Each has one PostgreSQL implementation (drizzle, running on PGlite or on
 * postgres.js) that passes the conformance suite in `conformance.ts` on both drivers.
 */
import type { AuditStore } from "@rack-gateway/audit-chain";
import type { Grant } from "@rack-gateway/rbac";
import type { ChangeFeed } from "../db/change-feed.js";

export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the whole token, hex. The token itself is never stored. */
  readonly tokenHash: string;
  /** First characters of the token (e.g. `rgw_AbCd`), safe to display so people can tell tokens apart. */
  readonly displayPrefix: string;
  readonly grants: readonly Grant[];
  /**
   * Who created it: a user's email, or the operator for the server CLI. For a token made by a token, whoever made
   * that one (the person at the start of the chain).
   */
  readonly createdBy: string;
  /**
   * The person whose access bounds this token for as long as it lives: the user who created it, or the user at
   * the start of the chain of tokens that did. Null when no person is behind it (the server operator's tokens).
   */
  readonly createdByUserId: string | null;
  /** The token that created this one; null when a person or the operator did. */
  readonly createdByTokenId: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
}

export interface NewApiToken {
  readonly name: string;
  readonly tokenHash: string;
  readonly displayPrefix: string;
  readonly grants: readonly Grant[];
  readonly createdBy: string;
  /** Default null: no person behind it (see ApiTokenRecord). */
  readonly createdByUserId?: string | null;
  /** Default null. */
  readonly createdByTokenId?: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface TokenStore {
  create(token: NewApiToken): Promise<ApiTokenRecord>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  findById(id: string): Promise<ApiTokenRecord | null>;
  /** Every token, newest first, revoked ones included. */
  list(): Promise<ApiTokenRecord[]>;
  /** Marks the token revoked. Returns false when no such token exists or it was already revoked. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Records a use (last-used time and client ip). */
  recordUse(id: string, at: Date, ip: string | null): Promise<void>;
}

export interface RateLimitStore {
  /**
   * Counts one hit for `key` and returns the hits within the last `windowMs` (including this one), estimated as
   * a sliding window: this fixed window's count plus the previous window's, weighted by how much of it is still
   * recent. The increment is atomic across processes sharing the database.
   */
  hit(key: string, windowMs: number, now: Date): Promise<number>;
  /** The same estimate without adding a hit. */
  peek(key: string, windowMs: number, now: Date): Promise<number>;
  /** Removes windows that ended at or before `before` (pass `now − windowMs` to keep the one that still weighs in). */
  prune(before: Date): Promise<number>;
}

export interface SettingRecord {
  readonly key: string;
  readonly value: unknown;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

export interface SettingsStore {
  get(key: string): Promise<SettingRecord | null>;
  set(key: string, value: unknown, updatedBy: string, at: Date): Promise<SettingRecord>;
  delete(key: string): Promise<boolean>;
  list(): Promise<SettingRecord[]>;
}

/** Everything the gateway persists, behind one handle that owns the connection. */
export interface Stores extends PeopleStores {
  /** Published on by every change to a credential or setting; caches subscribe (see db/change-feed.ts). */
  readonly changes: ChangeFeed;
  readonly tokens: TokenStore;
  readonly audit: AuditStore;
  readonly rateLimits: RateLimitStore;
  readonly settings: SettingsStore;
  /** Cheap round trip for the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ── People (users, sessions, sign-in flows) ────────────────────────────────────────────────────────────────

/** A person allowed to sign in. There is no self-sign-up: users exist only because an admin or the env made them. */
export interface UserRecord {
  readonly id: string;
  /** Lowercased; unique. */
  readonly email: string;
  readonly name: string;
  /** Role grants (viewer/ops/deployer/admin, optionally app-scoped). Never `cicd`. */
  readonly grants: readonly Grant[];
  /** `env` while the grants are the ones ADMIN_USERS/DEPLOYER_USERS/… gave; `admin` once an admin changed them. */
  readonly grantsSource: "env" | "admin";
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly lockedAt: Date | null;
  readonly lockedReason: string | null;
  readonly lockedBy: string | null;
  readonly lastSignInAt: Date | null;
}

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly grants: readonly Grant[];
  readonly grantsSource: "env" | "admin";
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface UserStore {
  /** Stores the email lowercased. Throws `DuplicateUserError` when the email exists in any case. */
  create(user: NewUser): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<UserRecord | null>;
  /** Ordered by email. */
  list(): Promise<UserRecord[]>;
  /** Replaces the grants; returns null when no such user. */
  setGrants(
    id: string,
    grants: readonly Grant[],
    source: "env" | "admin",
    at: Date,
  ): Promise<UserRecord | null>;
  setName(id: string, name: string, at: Date): Promise<UserRecord | null>;
  /**
   * Null when no such user. Locking a locked user changes nothing: the first lock's time, reason and
   * author stay.
   */
  lock(id: string, reason: string, by: string, at: Date): Promise<UserRecord | null>;
  /** Null when no such user. */
  unlock(id: string, at: Date): Promise<UserRecord | null>;
  /**
   * Locks every user without an unscoped `admin` grant (an admin of some apps only is locked too);
   * returns the ids locked (already-locked ones excluded). One statement.
   */
  lockAllNonAdmins(reason: string, by: string, at: Date): Promise<string[]>;
  /** Moves lastSignInAt forward (never back); leaves updatedAt alone. */
  recordSignIn(id: string, at: Date): Promise<void>;
  /** Deletes the user (their sessions go with them). Returns false when no such user. */
  delete(id: string): Promise<boolean>;
}

export type SessionChannel = "web" | "cli";

export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  /** SHA-256 of the opaque session token, hex. */
  readonly tokenHash: string;
  readonly channel: SessionChannel;
  /** e.g. "alice's laptop (rack-gateway CLI)" or a browser description. */
  readonly deviceName: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** Absolute end of life, whatever the activity. */
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly revokedReason: string | null;
}

export interface NewSession {
  readonly userId: string;
  readonly tokenHash: string;
  readonly channel: SessionChannel;
  readonly deviceName: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface SessionStore {
  create(session: NewSession): Promise<SessionRecord>;
  findByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  findById(id: string): Promise<SessionRecord | null>;
  /**
   * A user's sessions, newest first; `activeOnly` leaves out revoked and expired ones (as of `now`, which it
   * then requires: TypeError without it).
   */
  listForUser(userId: string, options?: { activeOnly?: boolean; now?: Date }): Promise<SessionRecord[]>;
  /** Every active session (as of `now`), newest first. */
  listActive(now: Date): Promise<SessionRecord[]>;
  /**
   * Moves lastSeenAt forward (never backwards) — only if the session is still usable: not revoked, not past
   * expiresAt, and lastSeenAt not older than `idleCutoff`. Returns false otherwise, atomically.
   */
  touch(id: string, at: Date, idleCutoff: Date): Promise<boolean>;
  /** Returns false when no such session or it was already revoked. */
  revoke(id: string, reason: string, at: Date): Promise<boolean>;
  /** Revokes every active session of a user; returns how many. */
  revokeAllForUser(userId: string, reason: string, at: Date): Promise<number>;
  /** Revokes every active session (incident switch); returns how many. */
  revokeAll(reason: string, at: Date): Promise<number>;
}

/** A sign-in in progress (OAuth state), single use, short-lived. Keyed by the SHA-256 of the `state` value. */
export interface SignInAttempt {
  readonly stateHash: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where the flow came from: a browser sign-in, a CLI loopback login, or a device-code approval. */
  readonly flow: "web" | "cli-loopback" | "device";
  /** Web: a same-origin path to return to. CLI loopback: the CLI's http://127.0.0.1:PORT/callback. Device: the user code. */
  readonly returnTo: string;
  /** CLI loopback: the CLI's PKCE challenge (S256) that the final exchange must satisfy. */
  readonly cliCodeChallenge: string | null;
  readonly deviceName: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** A one-time code handed to a CLI (loopback flow) or a device-code grant (RFC 8628). */
export interface CliGrant {
  /** SHA-256 of the one-time code (loopback) or of the device_code (device flow). */
  readonly codeHash: string;
  readonly kind: "loopback" | "device";
  /** Device flow: the short code people type (e.g. `BDWP-HQPK`), uppercase; null for loopback. */
  readonly userCode: string | null;
  /** Loopback: the S256 challenge the exchange must prove. */
  readonly codeChallenge: string | null;
  readonly deviceName: string;
  /** Set when a person approved it (device) or signed in (loopback). */
  readonly userId: string | null;
  readonly status: "pending" | "approved" | "denied" | "consumed";
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Device flow: when the CLI last polled (RFC 8628 slow_down). */
  readonly lastPolledAt: Date | null;
}

export interface SignInStore {
  saveAttempt(attempt: SignInAttempt): Promise<void>;
  /** Returns the attempt and deletes it in one step (single use); null when absent or expired at `now`. */
  takeAttempt(stateHash: string, now: Date): Promise<SignInAttempt | null>;
  /** Throws TypeError for a user code that is not uppercase. */
  saveCliGrant(grant: Omit<CliGrant, "lastPolledAt">): Promise<void>;
  /** Any case (people type it); null when absent or expired at `now`. */
  findCliGrantByUserCode(userCode: string, now: Date): Promise<CliGrant | null>;
  findCliGrant(codeHash: string): Promise<CliGrant | null>;
  /** Sets userId + status from `pending` only; returns false if it was not pending or has expired at `now`. */
  resolveCliGrant(
    codeHash: string,
    outcome: { status: "approved" | "denied"; userId: string | null },
    now: Date,
  ): Promise<boolean>;
  /** `approved` → `consumed` atomically (single use); returns the grant as it was, or null if it wasn't approved and unexpired. */
  consumeCliGrant(codeHash: string, now: Date): Promise<CliGrant | null>;
  /** Records a poll (never moving the time back); returns the previous poll time, null on the first poll or for an unknown grant. */
  recordPoll(codeHash: string, at: Date): Promise<Date | null>;
  /** Deletes attempts and grants expired at `now`; returns how many rows went. */
  prune(now: Date): Promise<number>;
}

/** The people stores, part of `Stores`. */
export interface PeopleStores {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly signIns: SignInStore;
}
