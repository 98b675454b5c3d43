/**
 * The gateway's tables, shared by both drivers (PGlite and postgres.js). Only PostgreSQL 15 features:
 * migrations generated from this file must run on the oldest server we support.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// drizzle's own jsonb() re-parses any string the driver returns, so a stored JSON *string* such as "123"
// would come back as the number 123. Both drivers already parse jsonb: take their value as is.
const jsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique("api_tokens_token_hash_key"),
    displayPrefix: text("display_prefix").notNull(),
    grants: jsonb("grants").notNull(),
    createdBy: text("created_by").notNull(),
    // No foreign keys: a deleted creator must leave a dangling id (their tokens stop), never a NULL (no person,
    // so no bound); and a token that made others is never deleted, only revoked.
    createdByUserId: uuid("created_by_user_id"),
    createdByTokenId: uuid("created_by_token_id"),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at"),
    revokedAt: timestamptz("revoked_at"),
    lastUsedAt: timestamptz("last_used_at"),
    lastUsedIp: text("last_used_ip"),
  },
  (table) => [index("api_tokens_created_at_idx").on(table.createdAt)],
);

export const auditRecords = pgTable(
  "audit_records",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    prevHash: text("prev_hash").notNull(),
    keyId: text("key_id").notNull(),
    hash: text("hash").notNull(),
    // text, not jsonb: jsonb reorders keys and rejects \u0000, and this is the exact canonical event JSON.
    eventJson: text("event_json").notNull(),
    // Extracted copies for querying only; the event JSON is the record of truth.
    time: timestamptz("time").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    app: text("app"),
    decision: text("decision").notNull(),
    status: integer("status"),
  },
  (table) => [
    index("audit_records_time_idx").on(table.time),
    index("audit_records_actor_idx").on(table.actor),
    index("audit_records_action_idx").on(table.action),
    index("audit_records_app_idx").on(table.app),
    index("audit_records_decision_idx").on(table.decision),
    index("audit_records_status_idx").on(table.status),
  ],
);

export const auditCheckpoints = pgTable("audit_checkpoints", {
  treeSize: bigint("tree_size", { mode: "number" }).primaryKey(),
  rootHash: text("root_hash").notNull(),
  chainHash: text("chain_hash").notNull(),
  // text, not timestamptz: the signature covers this exact string.
  time: text("time").notNull(),
  signingKeyId: text("signing_key_id").notNull(),
  signature: text("signature").notNull(),
  // The Merkle frontier the checkpoint was made from (its hashes, comma-separated, largest subtree first), so a
  // restarted gateway resumes its tree here instead of hashing every record. Not signed: checked on resume.
  frontier: text("frontier"),
});

export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamptz("window_start").notNull(),
    // Stored so prune() can tell which windows have ended without knowing each caller's window size.
    windowEnd: timestamptz("window_end").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [
    primaryKey({ name: "rate_limits_pkey", columns: [table.key, table.windowStart] }),
    index("rate_limits_window_end_idx").on(table.windowEnd),
  ],
);

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamptz("updated_at").notNull(),
});

// ── People ───────────────────────────────────────────────────────────────────────────────────────────────

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    // Stored lowercased by the store; the index on lower(email) also stops case-different twins written
    // by anything else.
    email: text("email").notNull().unique("users_email_key"),
    name: text("name").notNull(),
    grants: jsonb("grants").notNull(),
    grantsSource: text("grants_source").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: timestamptz("updated_at").notNull(),
    lockedAt: timestamptz("locked_at"),
    lockedReason: text("locked_reason"),
    lockedBy: text("locked_by"),
    lastSignInAt: timestamptz("last_sign_in_at"),
  },
  (table) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${table.email})`),
    check("users_grants_source_check", sql`${table.grantsSource} IN ('env', 'admin')`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique("sessions_token_hash_key"),
    channel: text("channel").notNull(),
    deviceName: text("device_name").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamptz("created_at").notNull(),
    lastSeenAt: timestamptz("last_seen_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    revokedAt: timestamptz("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (table) => [
    index("sessions_user_id_idx").on(table.userId),
    check("sessions_channel_check", sql`${table.channel} IN ('web', 'cli')`),
  ],
);

export const signInAttempts = pgTable(
  "sign_in_attempts",
  {
    stateHash: text("state_hash").primaryKey(),
    nonce: text("nonce").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    flow: text("flow").notNull(),
    returnTo: text("return_to").notNull(),
    cliCodeChallenge: text("cli_code_challenge"),
    deviceName: text("device_name"),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (table) => [
    index("sign_in_attempts_expires_at_idx").on(table.expiresAt),
    check("sign_in_attempts_flow_check", sql`${table.flow} IN ('web', 'cli-loopback', 'device')`),
  ],
);

export const cliGrants = pgTable(
  "cli_grants",
  {
    codeHash: text("code_hash").primaryKey(),
    kind: text("kind").notNull(),
    userCode: text("user_code").unique("cli_grants_user_code_key"),
    codeChallenge: text("code_challenge"),
    deviceName: text("device_name").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    createdAt: timestamptz("created_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    lastPolledAt: timestamptz("last_polled_at"),
  },
  (table) => [
    index("cli_grants_expires_at_idx").on(table.expiresAt),
    index("cli_grants_user_id_idx").on(table.userId),
    check("cli_grants_kind_check", sql`${table.kind} IN ('loopback', 'device')`),
    check("cli_grants_status_check", sql`${table.status} IN ('pending', 'approved', 'denied', 'consumed')`),
  ],
);
