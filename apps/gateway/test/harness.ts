/**
 * Test harness: a real gateway and a fake rack on loopback, on in-memory PGlite — or, when
 * RACK_GATEWAY_TEST_DATABASE_URL is set (CI), on PostgreSQL 15 in a fresh schema per harness.
 * Tokens for every built-in role are created up front.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AuditRecord, AuditStore, ChainVerification } from "@rack-gateway/audit-chain";
import { verifyStoredChain } from "@rack-gateway/audit-chain";
import { type FakeRack, type FakeRackOptions, startFakeRack } from "@rack-gateway/convox-client/testing";
import type { Grant, Role } from "@rack-gateway/rbac";
import postgres from "postgres";
import WebSocket from "ws";
import { createApiToken, displayPrefixOf, hashApiToken } from "../src/auth/api-token.js";
import { loadConfig } from "../src/config/config.js";
import { type OpenedDatabase, openDatabase } from "../src/db/open.js";
import { type RunningGateway, type StartGatewayOptions, startGateway } from "../src/main.js";

export const ROLE_NAMES = ["viewer", "ops", "deployer", "admin", "cicd"] as const satisfies readonly Role[];

export interface HarnessOptions {
  /** Extra gateway environment (e.g. PROTECTED_ENV_VARS, RGW_SETTING_ALLOW_RACK_JWT). */
  readonly env?: Record<string, string>;
  readonly rack?: Partial<FakeRackOptions>;
  /** Force PGlite even when a PostgreSQL URL is configured. */
  readonly database?: "auto" | "pglite";
  /** Wrap the opened database (e.g. to make the audit store fail). */
  readonly wrapDatabase?: (database: OpenedDatabase) => OpenedDatabase;
  /** A clock and an identity-provider fetch for the gateway (sign-in tests). */
  readonly gatewayOptions?: Pick<StartGatewayOptions, "now" | "fetch">;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface Harness {
  readonly gateway: RunningGateway;
  readonly rack: FakeRack;
  readonly rackPassword: string;
  /** `http://127.0.0.1:PORT` */
  readonly gatewayUrl: string;
  /** `http://127.0.0.1:PORT/api/v1/rack-proxy` — what RACK_URL points at (minus credentials). */
  readonly proxyUrl: string;
  readonly tokens: Readonly<Record<(typeof ROLE_NAMES)[number], string>>;
  /** Committed audit events as the JSON lines written for log shipping. */
  readonly auditLines: string[];
  readonly driver: "pglite" | "postgres";
  createToken(
    grants: readonly Grant[],
    options?: { name?: string; expiresAt?: Date | null },
  ): Promise<string>;
  /** A request to the rack proxy the way the convox CLI sends it (Basic auth with the URL-escaped token). */
  rackRequest(
    token: string | null,
    method: string,
    path: string,
    options?: { form?: Record<string, string>; body?: RequestInit["body"]; headers?: Record<string, string> },
  ): Promise<HttpResult>;
  /**
   * Opens a websocket through the proxy the way the convox CLI does (Origin = the gateway's origin).
   * Frames the rack sends right after the upgrade can arrive before the caller attaches a listener; to read
   * a stream from its first frame use `openRecordedSocket` from `socket-frames.ts`, which listens from the start.
   */
  openSocket(token: string | null, path: string, headers?: Record<string, string>): Promise<WebSocket>;
  auditRecords(): Promise<AuditRecord[]>;
  verifyAudit(): Promise<ChainVerification>;
  close(): Promise<void>;
}

/** The audit store outage the fail-closed tests simulate. */
export class AuditDiskFullError extends Error {
  override readonly name = "AuditDiskFullError";
}

/**
 * For `HarnessOptions.wrapDatabase`: an audit store whose appends fail while `isFailing()` is true (a full disk,
 * a lost database), and pass through otherwise. Everything else reaches the real store.
 */
export function withSwitchableAuditFailure(isFailing: () => boolean) {
  return (database: OpenedDatabase): OpenedDatabase => {
    const audit = database.stores.audit;
    const flaky: AuditStore = {
      append: (events, seal) =>
        isFailing()
          ? Promise.reject(new AuditDiskFullError("no space left on device"))
          : audit.append(events, seal),
      head: () => audit.head(),
      list: (options) => audit.list(options),
      count: () => audit.count(),
      saveCheckpoint: (checkpoint, frontier) => audit.saveCheckpoint(checkpoint, frontier),
      listCheckpoints: () => audit.listCheckpoints(),
      ...(audit.latestCheckpointFrontier
        ? { latestCheckpointFrontier: () => audit.latestCheckpointFrontier!() }
        : {}),
    };
    return { ...database, stores: { ...database.stores, audit: flaky } };
  };
}

export function basicAuth(token: string): string {
  return `Basic ${Buffer.from(`convox:${encodeURIComponent(token)}`).toString("base64")}`;
}

async function openTestDatabase(
  mode: "auto" | "pglite",
): Promise<{ database: OpenedDatabase; cleanup: () => Promise<void> }> {
  const url = process.env.RACK_GATEWAY_TEST_DATABASE_URL;
  if (mode === "pglite" || !url) {
    const database = await openDatabase({ inMemory: true });
    return { database, cleanup: () => database.close() };
  }
  const schema = `h_${randomBytes(8).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  const schemaUrl = new URL(url);
  schemaUrl.searchParams.set("search_path", schema);
  const database = await openDatabase({ databaseUrl: schemaUrl.toString(), maxConnections: 8 });
  return {
    database,
    cleanup: async () => {
      await database.close();
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const rackPassword = `rack/${randomBytes(12).toString("base64url")}@pass`;
  const rack = await startFakeRack({ password: rackPassword, ...options.rack });
  const opened = await openTestDatabase(options.database ?? "auto");
  const database = options.wrapDatabase ? options.wrapDatabase(opened.database) : opened.database;
  const auditLines: string[] = [];
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    RACK_HOST: rack.url,
    RACK_TOKEN: rackPassword,
    APP_SECRET_KEY: randomBytes(32).toString("base64"),
    AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
    RACK_RESPONSE_TIMEOUT_MS: "5000",
    // Checkpoints only by count, so tests that count them never race a timer (tests of the timer turn it on).
    AUDIT_CHECKPOINT_INTERVAL_MS: "0",
    ...options.env,
  });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, {
      database,
      writeLine: (line) => auditLines.push(line),
      logError: () => {},
      ...options.gatewayOptions,
    });
  } catch (error) {
    // Nothing half-started is left behind, so a caller may simply try again (e.g. on a port taken meanwhile).
    await rack.close();
    await opened.cleanup();
    throw error;
  }

  const createToken: Harness["createToken"] = async (grants, tokenOptions = {}) => {
    const token = createApiToken((count) => randomBytes(count));
    await database.stores.tokens.create({
      name: tokenOptions.name ?? `test-${randomUUID().slice(0, 8)}`,
      tokenHash: hashApiToken(token),
      displayPrefix: displayPrefixOf(token),
      grants,
      createdBy: "harness",
      createdAt: new Date(),
      expiresAt: tokenOptions.expiresAt ?? null,
    });
    return token;
  };
  const tokens = Object.fromEntries(
    await Promise.all(
      ROLE_NAMES.map(async (role) => [role, await createToken([{ role }], { name: `${role}-token` })]),
    ),
  ) as Record<(typeof ROLE_NAMES)[number], string>;
  const proxyUrl = `${gateway.url}/api/v1/rack-proxy`;

  return {
    gateway,
    rack,
    rackPassword,
    gatewayUrl: gateway.url,
    proxyUrl,
    tokens,
    auditLines,
    driver: database.driver,
    createToken,
    async rackRequest(token, method, path, requestOptions = {}) {
      const headers: Record<string, string> = {
        "User-Agent": "convox.go/3.19.0",
        Version: "3.19.0",
        Accept: "*/*",
        ...(token === null ? {} : { Authorization: basicAuth(token) }),
        ...requestOptions.headers,
      };
      let body: RequestInit["body"] | undefined = requestOptions.body;
      if (requestOptions.form) {
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(requestOptions.form).toString();
      }
      const response = await fetch(`${proxyUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body, duplex: "half" }),
      } as RequestInit);
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
    },
    openSocket(token, path, headers = {}) {
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(`${proxyUrl.replace(/^http/, "ws")}${path}`, {
          headers: { ...(token === null ? {} : { Authorization: basicAuth(token) }), ...headers },
          origin: gateway.url,
        });
        socket.once("open", () => resolve(socket));
        socket.once("unexpected-response", (_request, response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            reject(
              Object.assign(new Error(`upgrade refused: ${response.statusCode}`), {
                status: response.statusCode,
                body: Buffer.concat(chunks).toString(),
              }),
            ),
          );
        });
        socket.once("error", reject);
      });
    },
    async auditRecords() {
      await gateway.deps.audit.flush();
      return database.stores.audit.list({ limit: 100_000 });
    },
    async verifyAudit() {
      await gateway.deps.audit.flush();
      return verifyStoredChain(database.stores.audit, config.audit.hmacKeys);
    },
    async close() {
      await gateway.close();
      await rack.close();
      await opened.cleanup();
    },
  };
}
