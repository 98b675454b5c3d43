/**
 * The gateway's configuration, parsed once from the environment by the composition root. Names follow the
 * product documentation (seeds). Every failure message says how to fix it.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { checkSecretStrength } from "./secret-strength.js";

export interface GatewayConfig {
  /** `production` unless NODE_ENV is `development` or `test`: production refuses weak secrets. */
  readonly mode: "production" | "development";
  readonly port: number;
  readonly host: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly gatewayUrl: string | null;
  readonly rack: {
    readonly url: URL;
    readonly token: string;
    readonly alias: string;
    readonly displayName: string;
    readonly tlsInsecure: boolean;
    readonly connectTimeoutMs: number;
    readonly responseTimeoutMs: number;
    /** A streamed request body idle this long is cut (408): stalled uploads must not hold rack connections. */
    readonly bodyIdleTimeoutMs: number;
    /** Rack calls (HTTP and websocket sessions) one identity may have open at once; more are refused with 429. */
    readonly maxConcurrentCalls: number;
  };
  readonly appSecretKey: Uint8Array;
  readonly audit: {
    readonly hmacKeyId: string;
    readonly hmacKeys: Readonly<Record<string, Uint8Array>>;
    readonly logToStdout: boolean;
    readonly checkpointEvery: number;
    /** A checkpoint at least this often while there are new records (0: only every `checkpointEvery`). */
    readonly checkpointIntervalMs: number;
    /** Records a retired HMAC key may still seal after the current key's first (rolling rotation). */
    readonly retiredKeyGraceRecords: number;
  };
  readonly database: {
    readonly url: string | null;
    readonly maxConnections: number;
    readonly dataDir: string;
  };
  readonly protectedEnvVars: readonly string[];
  readonly redactPatterns: readonly string[];
  readonly authFailureLimit: number;
  readonly authFailureWindowSeconds: number;
  /** Trust X-Forwarded-For (only behind a load balancer that sets it, e.g. Convox's). */
  readonly trustProxyHeaders: boolean;
  readonly people: PeopleConfig;
  /** `RGW_SETTING_<KEY>` values: the env layer of runtime settings (DB → env → default). */
  readonly settingOverrides: Readonly<Record<string, string>>;
}

/** How people sign in, who may, and how their cookies are set. */
export interface PeopleConfig {
  /** Null: no identity provider configured; people cannot sign in (API tokens still work). */
  readonly identityProvider:
    | {
        readonly kind: "google";
        readonly clientId: string;
        readonly clientSecret: string;
        readonly allowedDomains: readonly string[];
      }
    | {
        readonly kind: "oidc";
        readonly issuer: string;
        readonly clientId: string;
        readonly clientSecret: string;
        readonly allowedDomains: readonly string[];
      }
    | null;
  /** Users created at start if missing (ADMIN_USERS, DEPLOYER_USERS, OPS_USERS, VIEWER_USERS), lowercased. */
  readonly seedUsers: Readonly<Record<"admin" | "deployer" | "ops" | "viewer", readonly string[]>>;
  /** Secure cookies; false only when explicitly disabled in development mode. */
  readonly secureCookies: boolean;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Rack Gateway cannot start:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
}

const csv = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

const booleanText = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`);

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: integer(0, 65535).default(8447),
  HOST: z.string().min(1).default("0.0.0.0"),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  GATEWAY_URL: z.url({ message: "must be a URL such as https://gateway.example.com" }).optional(),
  DOMAIN: z.string().min(1).optional(),
  RACK_HOST: z.string().min(1).optional(),
  RACK_TOKEN: z.string().min(1).optional(),
  RACK_ALIAS: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, "letters, digits and dashes only")
    .default("default"),
  RACK_DISPLAY_NAME: z.string().min(1).optional(),
  RACK_TLS_INSECURE: booleanText.default(false),
  RACK_CONNECT_TIMEOUT_MS: integer(100, 600_000).default(5_000),
  RACK_RESPONSE_TIMEOUT_MS: integer(100, 3_600_000).default(120_000),
  RACK_BODY_IDLE_TIMEOUT_MS: integer(100, 3_600_000).default(60_000),
  RACK_MAX_CONCURRENT_CALLS: integer(1, 100_000).default(64),
  APP_SECRET_KEY: z.string().optional(),
  AUDIT_HMAC_SECRET: z.string().optional(),
  AUDIT_HMAC_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, "1-32 letters, digits, _ . -")
    .default("k1"),
  AUDIT_HMAC_RETIRED_KEYS: z.string().optional(),
  AUDIT_LOG_STDOUT: booleanText.default(true),
  AUDIT_CHECKPOINT_EVERY: integer(1, 1_000_000).default(1000),
  AUDIT_CHECKPOINT_INTERVAL_MS: integer(0, 86_400_000).default(60_000),
  AUDIT_RETIRED_KEY_GRACE_RECORDS: integer(0, 1_000_000_000).default(100_000),
  DATABASE_URL: z.string().min(1).optional(),
  DB_MAX_OPEN_CONNS: integer(1, 1000).default(10),
  RACK_GATEWAY_DATA_DIR: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
  PROTECTED_ENV_VARS: z.string().optional(),
  REDACT_PATTERNS: z.string().optional(),
  AUTH_FAILURE_LIMIT: integer(1, 100_000).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: integer(1, 86_400).default(900),
  TRUST_PROXY_HEADERS: booleanText.default(false),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_ALLOWED_DOMAIN: z.string().min(1).optional(),
  OIDC_ISSUER: z
    .url({ message: "must be the identity provider's issuer URL, e.g. https://example.okta.com" })
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_ALLOWED_DOMAINS: z.string().min(1).optional(),
  ADMIN_USERS: z.string().optional(),
  DEPLOYER_USERS: z.string().optional(),
  OPS_USERS: z.string().optional(),
  VIEWER_USERS: z.string().optional(),
  SECURE_COOKIES: booleanText.optional(),
  SESSION_TIMEOUT_MINUTES: z.string().regex(/^\d+$/, "must be a whole number of minutes").optional(),
});

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function peopleOf(
  e: ParsedEnv,
  mode: GatewayConfig["mode"],
  gatewayUrl: string | null,
  problems: string[],
): PeopleConfig {
  const domainsFrom = (name: string, value: string | undefined) => {
    const domains = csv(value).map((domain) => domain.toLowerCase());
    for (const domain of domains)
      if (!DOMAIN.test(domain)) problems.push(`${name}: ${domain} is not a domain name`);
    return domains;
  };
  let identityProvider: PeopleConfig["identityProvider"] = null;
  const google = e.GOOGLE_CLIENT_ID || e.GOOGLE_CLIENT_SECRET;
  const oidc = e.OIDC_ISSUER || e.OIDC_CLIENT_ID || e.OIDC_CLIENT_SECRET;
  if (google && oidc)
    problems.push("configure either Google (GOOGLE_*) or a generic OIDC provider (OIDC_*), not both");
  if (google) {
    if (!e.GOOGLE_CLIENT_ID || !e.GOOGLE_CLIENT_SECRET)
      problems.push("GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together");
    const allowedDomains = domainsFrom("GOOGLE_ALLOWED_DOMAIN", e.GOOGLE_ALLOWED_DOMAIN);
    if (allowedDomains.length === 0)
      problems.push(
        "GOOGLE_ALLOWED_DOMAIN is required with Google sign-in: your Workspace domain, e.g. example.com",
      );
    identityProvider = {
      kind: "google",
      clientId: e.GOOGLE_CLIENT_ID ?? "",
      clientSecret: e.GOOGLE_CLIENT_SECRET ?? "",
      allowedDomains,
    };
  } else if (oidc) {
    if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET)
      problems.push("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together");
    const allowedDomains = domainsFrom(
      "OIDC_ALLOWED_DOMAINS",
      e.OIDC_ALLOWED_DOMAINS ?? e.GOOGLE_ALLOWED_DOMAIN,
    );
    if (allowedDomains.length === 0)
      problems.push(
        "OIDC_ALLOWED_DOMAINS is required with OIDC sign-in: the email domains allowed in, e.g. example.com",
      );
    identityProvider = {
      kind: "oidc",
      issuer: e.OIDC_ISSUER ?? "",
      clientId: e.OIDC_CLIENT_ID ?? "",
      clientSecret: e.OIDC_CLIENT_SECRET ?? "",
      allowedDomains,
    };
  }
  if (identityProvider && !gatewayUrl)
    problems.push(
      "GATEWAY_URL (or DOMAIN) is required for sign-in: the identity provider redirects back to it",
    );

  const seed = (name: string, value: string | undefined) => {
    const emails = csv(value).map((email) => email.toLowerCase());
    for (const email of emails)
      if (!EMAIL.test(email)) problems.push(`${name}: ${email} is not an email address`);
    return emails;
  };
  const seedUsers = {
    admin: seed("ADMIN_USERS", e.ADMIN_USERS),
    deployer: seed("DEPLOYER_USERS", e.DEPLOYER_USERS),
    ops: seed("OPS_USERS", e.OPS_USERS),
    viewer: seed("VIEWER_USERS", e.VIEWER_USERS),
  };
  const listed = Object.values(seedUsers).flat();
  const twice = listed.filter((email, index) => listed.indexOf(email) !== index);
  if (twice.length > 0)
    problems.push(
      `${[...new Set(twice)].join(", ")} listed in more than one of ADMIN_USERS, DEPLOYER_USERS, OPS_USERS, VIEWER_USERS`,
    );

  if (e.SECURE_COOKIES === false && mode === "production") {
    problems.push("SECURE_COOKIES=false is only allowed in local development (NODE_ENV=development)");
  }
  return { identityProvider, seedUsers, secureCookies: e.SECURE_COOKIES ?? true };
}

/** Parses a rack address: a URL, or `host[:port]` which means https. */
function parseRackUrl(value: string): URL | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (url.username || url.password || url.search || url.hash) return null;
    return url;
  } catch {
    return null;
  }
}

/** `id=secret,id=secret` — previous audit HMAC keys kept so old records still verify after rotation. */
function parseRetiredKeys(value: string | undefined, problems: string[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const entry of csv(value)) {
    const separator = entry.indexOf("=");
    if (separator <= 0) {
      problems.push("AUDIT_HMAC_RETIRED_KEYS must be a comma-separated list of keyId=secret");
      continue;
    }
    keys[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  return keys;
}

/** What operator subcommands (tokens, audit, migrate) need: the database and the audit keys, no rack. */
export type OperatorConfig = Pick<GatewayConfig, "mode" | "audit" | "database">;

function parseEnv(env: Readonly<Record<string, string | undefined>>) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`),
    );
  }
  return parsed.data;
}

type ParsedEnv = z.output<typeof envSchema>;

function modeOf(e: ParsedEnv): GatewayConfig["mode"] {
  return e.NODE_ENV === "development" || e.NODE_ENV === "test" ? "development" : "production";
}

function databaseOf(e: ParsedEnv): GatewayConfig["database"] {
  const dataHome = e.XDG_DATA_HOME ?? join(homedir(), ".local", "share");
  return {
    url: e.DATABASE_URL ?? null,
    maxConnections: e.DB_MAX_OPEN_CONNS,
    dataDir: e.RACK_GATEWAY_DATA_DIR ?? join(dataHome, "rack-gateway"),
  };
}

/** Reads `name` as a strong secret, or records why it can't. */
function readSecret(
  e: ParsedEnv,
  name: "APP_SECRET_KEY" | "AUDIT_HMAC_SECRET",
  generated: string | undefined,
  problems: string[],
): Uint8Array {
  const value = e[name] ?? (modeOf(e) === "development" ? generated : undefined);
  if (value === undefined) {
    problems.push(
      name === "APP_SECRET_KEY"
        ? "APP_SECRET_KEY is required: generate one with `openssl rand -base64 32` and keep it in a secret store"
        : "AUDIT_HMAC_SECRET is required: generate one with `openssl rand -hex 32`; it must never change afterwards",
    );
    return new Uint8Array();
  }
  const strength = checkSecretStrength(value);
  if (!strength.ok) problems.push(`${name} is too weak: ${strength.reason}`);
  return strength.bytes;
}

function auditOf(e: ParsedEnv, generated: string | undefined, problems: string[]): GatewayConfig["audit"] {
  const hmacKeys: Record<string, Uint8Array> = {
    [e.AUDIT_HMAC_KEY_ID]: readSecret(e, "AUDIT_HMAC_SECRET", generated, problems),
  };
  for (const [keyId, value] of Object.entries(parseRetiredKeys(e.AUDIT_HMAC_RETIRED_KEYS, problems))) {
    if (keyId === e.AUDIT_HMAC_KEY_ID) {
      problems.push(`AUDIT_HMAC_RETIRED_KEYS must not contain the current key id ${keyId}`);
      continue;
    }
    const strength = checkSecretStrength(value);
    if (!strength.ok) problems.push(`AUDIT_HMAC_RETIRED_KEYS key ${keyId} is too weak: ${strength.reason}`);
    hmacKeys[keyId] = strength.bytes;
  }
  return {
    hmacKeyId: e.AUDIT_HMAC_KEY_ID,
    hmacKeys,
    logToStdout: e.AUDIT_LOG_STDOUT,
    checkpointEvery: e.AUDIT_CHECKPOINT_EVERY,
    checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    retiredKeyGraceRecords: e.AUDIT_RETIRED_KEY_GRACE_RECORDS,
  };
}

/**
 * Runtime settings given in the environment (`RGW_SETTING_<KEY>`), unvalidated: the settings service checks them.
 * SESSION_TIMEOUT_MINUTES is the seeds' name for the session_timeout_minutes setting; RGW_SETTING_ wins.
 */
export function settingOverridesOf(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const overrides: Record<string, string> =
    env.SESSION_TIMEOUT_MINUTES === undefined ? {} : { session_timeout_minutes: env.SESSION_TIMEOUT_MINUTES };
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith("RGW_SETTING_") && value !== undefined) {
      overrides[name.slice("RGW_SETTING_".length).toLowerCase()] = value;
    }
  }
  return overrides;
}

/** Config for operator subcommands; the same variables as `serve`, minus the rack and the app secret. */
export function loadOperatorConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly generatedSecrets?: { auditHmacSecret: string } } = {},
): OperatorConfig {
  const e = parseEnv(env);
  const problems: string[] = [];
  const audit = auditOf(e, options.generatedSecrets?.auditHmacSecret, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { mode: modeOf(e), audit, database: databaseOf(e) };
}

/**
 * Parses `env` into a typed config, or throws a ConfigError listing every problem at once.
 * `generated` supplies secrets for development mode only (the demo); production never generates them.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly generatedSecrets?: { appSecretKey: string; auditHmacSecret: string } } = {},
): GatewayConfig {
  const e = parseEnv(env);
  const problems: string[] = [];
  const mode = modeOf(e);

  const rackUrl = e.RACK_HOST === undefined ? null : parseRackUrl(e.RACK_HOST);
  if (e.RACK_HOST === undefined)
    problems.push("RACK_HOST is required: the rack API address, e.g. https://rack.example.com:5443");
  else if (!rackUrl)
    problems.push("RACK_HOST must be https://host[:port] (or host[:port]) without credentials or query");
  if (e.RACK_TOKEN === undefined)
    problems.push("RACK_TOKEN is required: the rack's API password (from Terraform or `convox rack`)");

  if (Boolean(e.TLS_CERT_FILE) !== Boolean(e.TLS_KEY_FILE)) {
    problems.push(
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither, behind a TLS load balancer)",
    );
  }
  const appSecretKey = readSecret(e, "APP_SECRET_KEY", options.generatedSecrets?.appSecretKey, problems);
  const audit = auditOf(e, options.generatedSecrets?.auditHmacSecret, problems);
  if (problems.length > 0 || !rackUrl || e.RACK_TOKEN === undefined) throw new ConfigError(problems);

  const gatewayUrl = e.GATEWAY_URL ?? (e.DOMAIN ? `https://${e.DOMAIN}` : null);
  const people = peopleOf(e, mode, gatewayUrl, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const settingOverrides = settingOverridesOf(env);
  return {
    mode,
    port: e.PORT,
    host: e.HOST,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : null,
    gatewayUrl,
    rack: {
      url: rackUrl,
      token: e.RACK_TOKEN,
      alias: e.RACK_ALIAS,
      displayName: e.RACK_DISPLAY_NAME ?? e.RACK_ALIAS,
      tlsInsecure: e.RACK_TLS_INSECURE,
      connectTimeoutMs: e.RACK_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: e.RACK_RESPONSE_TIMEOUT_MS,
      bodyIdleTimeoutMs: e.RACK_BODY_IDLE_TIMEOUT_MS,
      maxConcurrentCalls: e.RACK_MAX_CONCURRENT_CALLS,
    },
    appSecretKey,
    audit,
    database: databaseOf(e),
    protectedEnvVars: csv(e.PROTECTED_ENV_VARS),
    redactPatterns: csv(e.REDACT_PATTERNS),
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    authFailureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
    trustProxyHeaders: e.TRUST_PROXY_HEADERS,
    people,
    settingOverrides,
  };
}
