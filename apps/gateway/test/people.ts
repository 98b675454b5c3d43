/**
 * People for API tests: users created straight in the store, web (cookie + CSRF) and CLI (Authorization) sessions
 * started through the real session service, and a small client that calls the gateway's own API as one of them.
 * Cookie tests need `SECURE_COOKIES=false` (the cookie is then `rgw_session`, not `__Host-rgw_session`).
 */
import type { AuditEvent } from "@rack-gateway/audit-chain";
import type { Grant, PersonRole } from "@rack-gateway/rbac";
import { csrfTokenFor } from "../src/http/csrf.js";
import type { SessionRecord, UserRecord } from "../src/stores/types.js";
import { type Harness, type HarnessOptions, type HttpResult, startHarness } from "./harness.js";

/** The harness environment people tests run with (plain-HTTP cookies on loopback). */
export const PEOPLE_ENV = { SECURE_COOKIES: "false" } as const;

export function startPeopleHarness(
  env: Record<string, string> = {},
  options: Omit<HarnessOptions, "env"> = {},
): Promise<Harness> {
  return startHarness({ ...options, env: { ...PEOPLE_ENV, ...env } });
}

/** How a caller proves who it is: a web cookie (+ CSRF token) or an `Authorization` header, or nothing. */
export type Credentials =
  | { readonly kind: "cookie"; readonly token: string; readonly csrfToken: string }
  | { readonly kind: "bearer"; readonly token: string }
  | { readonly kind: "anonymous" };

export interface Person {
  readonly user: UserRecord;
  readonly session: SessionRecord;
  readonly credentials: Credentials;
}

let counter = 0;

/** A unique lowercase email for a throwaway user. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}@example.com`;
}

export async function createUser(
  harness: Harness,
  grants: readonly Grant[],
  options: { email?: string; name?: string; grantsSource?: "env" | "admin" } = {},
): Promise<UserRecord> {
  const email = options.email ?? uniqueEmail(grantNameOf(grants));
  return harness.gateway.deps.stores.users.create({
    email,
    name: options.name ?? email.split("@")[0] ?? email,
    grants,
    grantsSource: options.grantsSource ?? "admin",
    createdBy: "test",
    createdAt: new Date(),
  });
}

function grantNameOf(grants: readonly Grant[]): string {
  const first = grants[0];
  return first && "role" in first ? first.role : "user";
}

/** Starts a session for `user` on `channel` and returns the credentials a browser or the CLI would send. */
export async function signIn(
  harness: Harness,
  user: UserRecord,
  channel: "web" | "cli" = "web",
): Promise<Person> {
  const { token, session } = await harness.gateway.deps.sessions.start(user, channel, {
    deviceName: channel === "web" ? "test browser" : "test laptop (rack-gateway CLI)",
    ip: "127.0.0.1",
    userAgent: "vitest",
  });
  const credentials: Credentials =
    channel === "web"
      ? { kind: "cookie", token, csrfToken: csrfTokenFor(harness.gateway.deps.appSecretKey, session.id) }
      : { kind: "bearer", token };
  return { user, session, credentials };
}

/** A new user holding `role`, signed in on the web. */
export async function personWithRole(harness: Harness, role: PersonRole): Promise<Person> {
  return signIn(harness, await createUser(harness, [{ role }]));
}

export interface CallOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Leave out the CSRF header of a cookie caller. */
  readonly omitCsrf?: boolean;
  /** Leave out the Origin header of a cookie caller. */
  readonly omitOrigin?: boolean;
}

/** The headers a same-origin SPA (cookie) or the CLI (Authorization) sends for `method`. */
export function headersFor(
  harness: Harness,
  credentials: Credentials,
  method: string,
  options: CallOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (credentials.kind === "bearer") headers.Authorization = `Bearer ${credentials.token}`;
  if (credentials.kind === "cookie") {
    headers.Cookie = `rgw_session=${credentials.token}`;
    if (method !== "GET" && method !== "HEAD") {
      if (!options.omitOrigin) headers.Origin = harness.gatewayUrl;
      if (!options.omitCsrf) headers["X-CSRF-Token"] = credentials.csrfToken;
    }
  }
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  return { ...headers, ...options.headers };
}

/** Calls the gateway's own API (not the rack proxy) as `credentials`; never follows redirects. */
export async function callApi(
  harness: Harness,
  credentials: Credentials,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpResult> {
  const response = await fetch(`${harness.gatewayUrl}${path}`, {
    method,
    headers: headersFor(harness, credentials, method, options),
    redirect: "manual",
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** A caller bound to one set of credentials. */
export function clientFor(harness: Harness, credentials: Credentials) {
  return (method: string, path: string, options: CallOptions = {}) =>
    callApi(harness, credentials, method, path, options);
}

/** Committed audit events with `action`, oldest first. */
export async function auditEventsWith(harness: Harness, action: string): Promise<AuditEvent[]> {
  const records = await harness.auditRecords();
  return records.filter((record) => record.event.action === action).map((record) => record.event);
}

/** Committed audit events of one request (its X-Request-Id), oldest first. */
export async function auditEventsOf(harness: Harness, response: HttpResult): Promise<AuditEvent[]> {
  const requestId = response.headers.get("x-request-id");
  if (!requestId) throw new TypeError("auditEventsOf: the response carried no X-Request-Id");
  const records = await harness.auditRecords();
  return records.filter((record) => record.event.requestId === requestId).map((record) => record.event);
}

/** Fails when `text` holds an API token, a session token or a SHA-256 hash of either. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    if (text.includes(secret)) throw new Error(`response leaked a secret: ${secret.slice(0, 8)}…`);
  }
  if (/rgws?_[A-Za-z0-9]{20,}/.test(text)) throw new Error("response holds something shaped like a token");
  if (/tokenHash|token_hash/i.test(text)) throw new Error("response names a token hash field");
}

/** The session token a person holds (for the rack proxy, which takes it as the convox CLI's password). */
export function tokenOf(person: Person): string {
  if (person.credentials.kind === "anonymous")
    throw new TypeError("tokenOf: an anonymous caller has no token");
  return person.credentials.token;
}
