/**
 * @module The composition root: the only place that reads the environment. It parses it once (config.ts),
 * opens the database, builds every dependency and serves.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { deriveCheckpointSigningKey } from "@rack-gateway/audit-chain";
import { createRedactionRules } from "@rack-gateway/redaction";
import { type AuditLog, createAuditLog } from "./audit/audit-log.js";
import { type Checkpointer, createCheckpointer } from "./audit/checkpointer.js";
import { auditVerificationKeysOf } from "./audit/verify-audit.js";
import { type CheckedToken, createAuthenticator } from "./auth/authenticate.js";
import { createSessionService } from "./auth/sessions.js";
import { createTtlCache } from "./auth/ttl-cache.js";
import { ConfigError, type GatewayConfig } from "./config/config.js";
import { type OpenedDatabase, openDatabase } from "./db/open.js";
import type { GatewayDeps } from "./deps.js";
import { seedUsers } from "./people/seed-users.js";
import { createRackForwarder } from "./proxy/rack-forwarder.js";
import { createGatewayServer, type GatewayServer } from "./server.js";
import {
  createSettings,
  type ResolvedSetting,
  type SettingKey,
  validateSettingOverrides,
} from "./settings/settings.js";
import { createIdentityProviderClient } from "./signin/identity-provider.js";
import { SIGN_IN_FAILURE_WINDOW_MS } from "./signin/sign-in-limits.js";
import { startPruner } from "./stores/pruner.js";
import type { SessionRecord, UserRecord } from "./stores/types.js";

/**
 * How long another process may serve a cached credential if a change notification never reaches it. Changes
 * clear caches at once through LISTEN/NOTIFY; this only bounds the damage of a lost notification.
 */
const CACHE_TTL_MS = 10_000;

/** How often rows nothing reads any more (old rate-limit windows, expired sign-ins) are deleted. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly deps: GatewayDeps;
  readonly database: OpenedDatabase;
  readonly checkpointer: Checkpointer;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Where committed audit events go as JSON lines (stdout in production). */
  readonly writeLine?: ((line: string) => void) | null;
  readonly logError?: (message: string, error: unknown) => void;
  /** An already-open database (tests, the demo); otherwise opened from the config. */
  readonly database?: OpenedDatabase;
  readonly now?: () => Date;
  /** How the gateway reaches the identity provider; global fetch by default (tests pass a wrapper). */
  readonly fetch?: typeof fetch;
}

/** The checkpoint signing key is derived from the audit HMAC secret: nothing more to configure or lose. */
export function checkpointSigningKeyOf(config: Pick<GatewayConfig, "audit">) {
  const secret = config.audit.hmacKeys[config.audit.hmacKeyId];
  if (!secret) throw new TypeError("the current audit HMAC key is missing");
  return deriveCheckpointSigningKey(secret, `cp-${config.audit.hmacKeyId}`);
}

export function openConfiguredDatabase(config: GatewayConfig): Promise<OpenedDatabase> {
  return config.database.url
    ? openDatabase({ databaseUrl: config.database.url, maxConnections: config.database.maxConnections })
    : openDatabase({ dataDir: config.database.dataDir });
}

/**
 * Collects the lines written during one turn of the event loop and writes them in one call: a busy gateway
 * commits hundreds of audit events per batch, and one write per line would be one system call per line.
 */
export function createBatchedLineWriter(write: (text: string) => void): (line: string) => void {
  let pending: string[] = [];
  return (line) => {
    if (pending.length === 0) {
      setImmediate(() => {
        const text = `${pending.join("\n")}\n`;
        pending = [];
        write(text);
      });
    }
    pending.push(line);
  };
}

export function defaultLogError(message: string, error: unknown): void {
  // Only the error's class and message: causes can carry request data, and logs must never carry secrets.
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(
    `${JSON.stringify({ type: "error", time: new Date().toISOString(), message, detail })}\n`,
  );
}

/**
 * Events of answered reads wait up to this long to share a database batch: a few large batches cost PostgreSQL
 * and the gateway less per event than many small ones. Mutations never wait (their intent is written before
 * they are forwarded) and take the waiting events along.
 */
const AUDIT_BATCH_DELAY_MS = 5;

export function createAuditLogFor(
  config: Pick<GatewayConfig, "audit">,
  database: OpenedDatabase,
  options: {
    writeLine: ((line: string) => void) | null;
    logError: (message: string, error: unknown) => void;
    checkpointer?: Checkpointer;
    now?: () => Date;
  },
): AuditLog {
  return createAuditLog({
    store: database.stores.audit,
    keys: config.audit.hmacKeys,
    currentKeyId: config.audit.hmacKeyId,
    writeLine: options.writeLine,
    logError: options.logError,
    onCommitted: (records) => {
      options.checkpointer?.observe(records);
    },
    batchDelayMs: AUDIT_BATCH_DELAY_MS,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

export async function startGateway(
  config: GatewayConfig,
  options: StartGatewayOptions = {},
): Promise<RunningGateway> {
  const problems = validateSettingOverrides(config.settingOverrides);
  if (problems.length > 0) throw new ConfigError(problems);
  const logError = options.logError ?? defaultLogError;
  const now = options.now ?? (() => new Date());
  const writeLine =
    options.writeLine === undefined
      ? config.audit.logToStdout
        ? createBatchedLineWriter((text) => process.stdout.write(text))
        : null
      : options.writeLine;
  const tls = config.tls
    ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
    : undefined;

  const database = options.database ?? (await openConfiguredDatabase(config));
  const checkpointer = createCheckpointer({
    store: database.stores.audit,
    hmacKeys: config.audit.hmacKeys,
    keyRotation: auditVerificationKeysOf(config).keyRotation,
    signingKey: checkpointSigningKeyOf(config),
    every: config.audit.checkpointEvery,
    now,
    logError,
  });
  const audit = createAuditLogFor(config, database, { writeLine, logError, checkpointer, now });
  const forwarder = createRackForwarder({
    url: config.rack.url,
    token: config.rack.token,
    tlsInsecure: config.rack.tlsInsecure,
    connectTimeoutMs: config.rack.connectTimeoutMs,
    responseTimeoutMs: config.rack.responseTimeoutMs,
    bodyIdleTimeoutMs: config.rack.bodyIdleTimeoutMs,
  });
  // Credentials and settings are read on every request; cache them, and drop every cache the moment any process
  // changes one (stores publish each change on the database's change feed).
  const cacheOptions = { ttlMs: CACHE_TTL_MS, maxEntries: 10_000, now: () => now().getTime() };
  const caches = {
    tokens: createTtlCache<CheckedToken>(cacheOptions),
    sessions: createTtlCache<SessionRecord>(cacheOptions),
    users: createTtlCache<UserRecord>(cacheOptions),
    settings: createTtlCache<ResolvedSetting<SettingKey>>(cacheOptions),
  };
  await database.stores.changes.start();
  const unsubscribeCaches = database.stores.changes.subscribe(() => {
    for (const cache of Object.values(caches)) cache.clear();
  });
  const settings = createSettings({
    store: database.stores.settings,
    overrides: config.settingOverrides,
    cache: caches.settings,
  });
  const random = (byteCount: number) => new Uint8Array(randomBytes(byteCount));
  const sessions = createSessionService({
    sessions: database.stores.sessions,
    users: database.stores.users,
    settings,
    now,
    random,
    cache: { sessions: caches.sessions, users: caches.users },
  });
  await seedUsers({ users: database.stores.users, audit, now }, config.people.seedUsers);
  const deps: GatewayDeps = {
    stores: database.stores,
    forwarder,
    audit,
    auditVerification: auditVerificationKeysOf(config),
    settings,
    authenticator: createAuthenticator({
      tokens: database.stores.tokens,
      users: database.stores.users,
      allowRackJwt: async () => (await settings.get("allow_rack_jwt")).value,
      now,
      sessions,
      cache: { tokens: caches.tokens, users: caches.users },
    }),
    sessions,
    appSecretKey: config.appSecretKey,
    cookies: { secure: config.people.secureCookies },
    publicOrigin: config.gatewayUrl ? new URL(config.gatewayUrl).origin : null,
    people: config.people,
    identityProvider: createIdentityProviderClient(config.people.identityProvider, {
      gatewayUrl: config.gatewayUrl,
      fetch: options.fetch ?? globalThis.fetch,
      now,
    }),
    random,
    redaction: createRedactionRules({
      patterns: config.redactPatterns,
      protectedEnvVars: config.protectedEnvVars,
    }),
    rack: {
      alias: config.rack.alias,
      displayName: config.rack.displayName,
      maxConcurrentCalls: config.rack.maxConcurrentCalls,
    },
    authFailureLimit: config.authFailureLimit,
    authFailureWindowMs: config.authFailureWindowSeconds * 1000,
    hsts: config.tls !== null || config.mode === "production",
    trustProxyHeaders: config.trustProxyHeaders,
    now,
    randomId: randomUUID,
    logError,
  };
  const gateway: GatewayServer = createGatewayServer(deps, tls);
  await new Promise<void>((resolve, reject) => {
    gateway.server.once("error", reject);
    gateway.server.listen(config.port, config.host, () => {
      gateway.server.off("error", reject);
      resolve();
    });
  });
  // Started once listening, so a gateway that failed to start leaves no timer behind.
  const pruner = startPruner({
    rateLimits: database.stores.rateLimits,
    signIns: database.stores.signIns,
    longestRateWindowMs: Math.max(deps.authFailureWindowMs, SIGN_IN_FAILURE_WINDOW_MS),
    intervalMs: PRUNE_INTERVAL_MS,
    now,
    logError,
  });
  // Checkpoints also by time: the records above the newest checkpoint are the ones a database writer could cut off
  // unseen (see docs/audit-log.md), so on a quiet gateway they must not wait for AUDIT_CHECKPOINT_EVERY records.
  const checkpointTimer =
    config.audit.checkpointIntervalMs > 0
      ? setInterval(() => void checkpointer.checkpointNow(), config.audit.checkpointIntervalMs)
      : null;
  checkpointTimer?.unref();
  const port = (gateway.server.address() as AddressInfo).port;
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  let closed: Promise<void> | null = null;
  return {
    url: `${config.tls ? "https" : "http"}://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`,
    port,
    deps,
    database,
    checkpointer,
    close() {
      closed ??= (async () => {
        await gateway.close();
        await pruner.stop();
        if (checkpointTimer) clearInterval(checkpointTimer);
        unsubscribeCaches();
        await audit.close();
        await checkpointer.idle();
        forwarder.close();
        if (!options.database) await database.close();
      })();
      return closed;
    },
  };
}

/** Random secrets for development mode (the demo); production never generates its secrets. */
export function generateDevelopmentSecrets() {
  return {
    appSecretKey: randomBytes(32).toString("base64"),
    auditHmacSecret: randomBytes(32).toString("hex"),
  };
}
