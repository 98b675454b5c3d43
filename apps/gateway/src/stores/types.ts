/**
 * The gateway's storage ports. Each has one PostgreSQL implementation (drizzle, running on PGlite or on
 * postgres.js) that passes the conformance suite in `conformance.ts` on both drivers.
 */
import type { AuditStore } from "@rack-gateway/audit-chain";
import type { Grant } from "@rack-gateway/rbac";

export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the whole token, hex. The token itself is never stored. */
  readonly tokenHash: string;
  /** First characters of the token (e.g. `rgw_AbCd`), safe to display so people can tell tokens apart. */
  readonly displayPrefix: string;
  readonly grants: readonly Grant[];
  /** Who created it: a user's email, or `operator` for the server CLI. */
  readonly createdBy: string;
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
   * Counts one hit for `key` in the fixed window containing `now` and returns the count so far in that
   * window (including this hit). Atomic across processes sharing the database.
   */
  hit(key: string, windowMs: number, now: Date): Promise<number>;
  /** Current count without adding a hit. */
  peek(key: string, windowMs: number, now: Date): Promise<number>;
  /** Removes windows that ended before `before`. */
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
export interface Stores {
  readonly tokens: TokenStore;
  readonly audit: AuditStore;
  readonly rateLimits: RateLimitStore;
  readonly settings: SettingsStore;
  /** Cheap round trip for the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
