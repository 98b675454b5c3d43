import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, type GatewayConfig, loadConfig, loadOperatorConfig } from "../src/config/config.js";
import { startGateway } from "../src/main.js";
import { validateSettingOverrides } from "../src/settings/settings.js";

const strongBase64 = () => randomBytes(32).toString("base64");
const strongHex = () => randomBytes(32).toString("hex");

/** A complete production environment; each test removes or changes what it is about. */
function productionEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    RACK_HOST: "https://rack.example.com:5443",
    RACK_TOKEN: "rack-api-password",
    APP_SECRET_KEY: strongBase64(),
    AUDIT_HMAC_SECRET: strongHex(),
    ...overrides,
  };
}

function problemsOf(env: Record<string, string | undefined>, options?: Parameters<typeof loadConfig>[1]) {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("loadConfig accepted the environment");
}

describe("loadConfig: required variables", () => {
  it("lists every missing variable in one ConfigError, each with how to fix it", () => {
    let caught: unknown;
    try {
      loadConfig({});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { problems, message } = caught as ConfigError;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith("RACK_HOST"))).toMatch(/required.*https:\/\//);
    expect(problems.find((p) => p.startsWith("RACK_TOKEN"))).toMatch(/required.*API password/);
    expect(problems.find((p) => p.startsWith("APP_SECRET_KEY"))).toMatch(/openssl rand -base64 32/);
    expect(problems.find((p) => p.startsWith("AUDIT_HMAC_SECRET"))).toMatch(
      /openssl rand -hex 32.*never change/,
    );
    expect(message).toMatch(/^Rack Gateway cannot start:\n {2}- /);
    for (const problem of problems) expect(message).toContain(problem);
  });

  it("loads a complete production environment with the documented defaults", () => {
    const config = loadConfig(productionEnv());
    expect(config).toMatchObject({
      mode: "production",
      port: 8447,
      host: "0.0.0.0",
      tls: null,
      gatewayUrl: null,
      protectedEnvVars: [],
      redactPatterns: [],
      authFailureLimit: 20,
      authFailureWindowSeconds: 900,
      trustProxyHeaders: false,
      settingOverrides: {},
    } satisfies Partial<GatewayConfig>);
    expect(config.rack).toMatchObject({
      alias: "default",
      displayName: "default",
      tlsInsecure: false,
      bodyIdleTimeoutMs: 60_000,
    });
    expect(config.rack.connectTimeoutMs).toBe(5_000);
    expect(config.audit).toMatchObject({ hmacKeyId: "k1", logToStdout: true, checkpointEvery: 1000 });
    expect(config.database).toMatchObject({ url: null, maxConnections: 10 });
    expect(config.appSecretKey).toHaveLength(32);
  });

  it("reports every malformed variable at once (bad PORT, bad boolean)", () => {
    const problems = problemsOf({ PORT: "eighty", RACK_TLS_INSECURE: "maybe" });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT must be a whole number/),
      expect.stringMatching(/^RACK_TLS_INSECURE must be true or false/),
    ]);
    expect(problemsOf(productionEnv({ PORT: "70000" }))).toEqual([
      expect.stringMatching(/^PORT must be between 0 and 65535/),
    ]);
  });
});

describe("loadConfig: secrets", () => {
  it.each([
    ["unset", undefined, /is required/],
    ["short", randomBytes(16).toString("base64"), /decodes to 16 bytes; use at least 32/],
    ["a placeholder", "please-change-me-this-is-not-a-real-value-at-all-0123", /placeholder/],
    ["low variety", "ab".repeat(32), /too little variety/],
  ])("production refuses an APP_SECRET_KEY that is %s", (_case, value, reason) => {
    const problems = problemsOf(productionEnv({ APP_SECRET_KEY: value }));
    expect(problems).toEqual([expect.stringMatching(reason)]);
    expect(problems[0]).toMatch(/^APP_SECRET_KEY /);
  });

  it.each([
    ["unset", undefined, /is required/],
    ["short", "0123456789abcdef", /decodes to 8 bytes/],
    ["a placeholder", "changeme-changeme-changeme-changeme-changeme-01", /placeholder/],
  ])("production refuses an AUDIT_HMAC_SECRET that is %s", (_case, value, reason) => {
    expect(problemsOf(productionEnv({ AUDIT_HMAC_SECRET: value }))).toEqual([
      expect.stringMatching(new RegExp(`^AUDIT_HMAC_SECRET .*${reason.source}`)),
    ]);
  });

  it("production never uses generated secrets, whatever the caller offers", () => {
    const generatedSecrets = { appSecretKey: strongBase64(), auditHmacSecret: strongHex() };
    const env = productionEnv({ APP_SECRET_KEY: undefined, AUDIT_HMAC_SECRET: undefined });
    expect(problemsOf(env, { generatedSecrets })).toHaveLength(2);
    expect(problemsOf({ ...env, NODE_ENV: "staging" }, { generatedSecrets })).toHaveLength(2);
  });

  it("development (and test) mode accepts generated secrets", () => {
    const generatedSecrets = { appSecretKey: strongBase64(), auditHmacSecret: strongHex() };
    const env = productionEnv({ APP_SECRET_KEY: undefined, AUDIT_HMAC_SECRET: undefined });
    for (const NODE_ENV of ["development", "test"]) {
      const config = loadConfig({ ...env, NODE_ENV }, { generatedSecrets });
      expect(config.mode).toBe("development");
      expect(Buffer.from(config.appSecretKey).toString("base64")).toBe(generatedSecrets.appSecretKey);
      expect(Buffer.from(config.audit.hmacKeys.k1 ?? []).toString("hex")).toBe(
        generatedSecrets.auditHmacSecret,
      );
    }
  });

  it("development mode still needs secrets when none are generated, and still refuses weak ones", () => {
    const env = productionEnv({ NODE_ENV: "development", APP_SECRET_KEY: undefined });
    expect(problemsOf(env)).toEqual([expect.stringMatching(/^APP_SECRET_KEY is required/)]);
    expect(problemsOf({ ...env, APP_SECRET_KEY: "short" })).toEqual([
      expect.stringMatching(/^APP_SECRET_KEY is too weak/),
    ]);
  });
});

describe("loadConfig: rack address", () => {
  it.each([
    ["rack.example.com:5443", "https://rack.example.com:5443/"],
    ["rack.example.com", "https://rack.example.com/"],
    ["https://rack.example.com:5443", "https://rack.example.com:5443/"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"],
    ["https://rack.example.com/base/", "https://rack.example.com/base/"],
  ])("RACK_HOST %s → %s", (value, url) => {
    expect(loadConfig(productionEnv({ RACK_HOST: value })).rack.url.href).toBe(url);
  });

  it.each([
    ["credentials", "https://convox:password@rack.example.com"],
    ["a query", "https://rack.example.com?token=x"],
    ["a fragment", "https://rack.example.com#x"],
    ["another scheme", "ftp://rack.example.com"],
    ["garbage", "https://"],
  ])("RACK_HOST with %s is refused", (_case, value) => {
    expect(problemsOf(productionEnv({ RACK_HOST: value }))).toEqual([
      "RACK_HOST must be https://host[:port] (or host[:port]) without credentials or query",
    ]);
  });

  it("reads the rack's alias, display name and timeouts", () => {
    const config = loadConfig(
      productionEnv({
        RACK_ALIAS: "prod-eu",
        RACK_DISPLAY_NAME: "Production (EU)",
        RACK_CONNECT_TIMEOUT_MS: "250",
        RACK_RESPONSE_TIMEOUT_MS: "60000",
        RACK_BODY_IDLE_TIMEOUT_MS: "15000",
        RACK_TLS_INSECURE: "true",
      }),
    );
    expect(config.rack).toMatchObject({
      alias: "prod-eu",
      displayName: "Production (EU)",
      connectTimeoutMs: 250,
      responseTimeoutMs: 60_000,
      bodyIdleTimeoutMs: 15_000,
      tlsInsecure: true,
    });
    expect(problemsOf(productionEnv({ RACK_ALIAS: "prod eu" }))).toEqual([
      expect.stringMatching(/^RACK_ALIAS letters, digits and dashes only/),
    ]);
  });
});

describe("loadConfig: server, database and policy variables", () => {
  it("PORT, HOST, GATEWAY_URL and DOMAIN", () => {
    expect(loadConfig(productionEnv({ PORT: "0", HOST: "127.0.0.1" }))).toMatchObject({
      port: 0,
      host: "127.0.0.1",
    });
    expect(loadConfig(productionEnv({ DOMAIN: "gw.example.com" })).gatewayUrl).toBe("https://gw.example.com");
    expect(
      loadConfig(productionEnv({ DOMAIN: "gw.example.com", GATEWAY_URL: "https://other.example.com" }))
        .gatewayUrl,
    ).toBe("https://other.example.com");
    expect(problemsOf(productionEnv({ GATEWAY_URL: "not a url" }))).toEqual([
      expect.stringMatching(/^GATEWAY_URL must be a URL/),
    ]);
  });

  it("TLS needs both the certificate and the key", () => {
    const problem =
      "TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither, behind a TLS load balancer)";
    expect(problemsOf(productionEnv({ TLS_CERT_FILE: "/etc/tls/cert.pem" }))).toEqual([problem]);
    expect(problemsOf(productionEnv({ TLS_KEY_FILE: "/etc/tls/key.pem" }))).toEqual([problem]);
    expect(
      loadConfig(productionEnv({ TLS_CERT_FILE: "/etc/tls/cert.pem", TLS_KEY_FILE: "/etc/tls/key.pem" })).tls,
    ).toEqual({ certFile: "/etc/tls/cert.pem", keyFile: "/etc/tls/key.pem" });
  });

  it("DATABASE_URL, DB_MAX_OPEN_CONNS and the data directory", () => {
    const config = loadConfig(
      productionEnv({ DATABASE_URL: "postgres://gw@db.internal/gw", DB_MAX_OPEN_CONNS: "25" }),
    );
    expect(config.database).toMatchObject({ url: "postgres://gw@db.internal/gw", maxConnections: 25 });
    for (const bad of ["0", "1001", "ten", "-1"]) {
      expect(problemsOf(productionEnv({ DB_MAX_OPEN_CONNS: bad }))).toEqual([
        expect.stringMatching(/^DB_MAX_OPEN_CONNS must be/),
      ]);
    }
    expect(loadConfig(productionEnv({ RACK_GATEWAY_DATA_DIR: "/var/lib/rgw" })).database.dataDir).toBe(
      "/var/lib/rgw",
    );
    expect(loadConfig(productionEnv({ XDG_DATA_HOME: "/data" })).database.dataDir).toBe("/data/rack-gateway");
  });

  it("PROTECTED_ENV_VARS and REDACT_PATTERNS are comma-separated lists, blanks dropped", () => {
    const config = loadConfig(
      productionEnv({
        PROTECTED_ENV_VARS: " DATABASE_URL, ,STRIPE_KEY ,",
        REDACT_PATTERNS: "acct_[0-9]+,  sk-[a-z]+",
      }),
    );
    expect(config.protectedEnvVars).toEqual(["DATABASE_URL", "STRIPE_KEY"]);
    expect(config.redactPatterns).toEqual(["acct_[0-9]+", "sk-[a-z]+"]);
  });

  it("AUTH_FAILURE_*, TRUST_PROXY_HEADERS and AUDIT_* knobs", () => {
    const config = loadConfig(
      productionEnv({
        AUTH_FAILURE_LIMIT: "5",
        AUTH_FAILURE_WINDOW_SECONDS: "60",
        TRUST_PROXY_HEADERS: "yes",
        AUDIT_LOG_STDOUT: "false",
        AUDIT_CHECKPOINT_EVERY: "10",
        AUDIT_HMAC_KEY_ID: "2026-03",
      }),
    );
    expect(config).toMatchObject({
      authFailureLimit: 5,
      authFailureWindowSeconds: 60,
      trustProxyHeaders: true,
    });
    expect(config.audit).toMatchObject({ logToStdout: false, checkpointEvery: 10, hmacKeyId: "2026-03" });
    expect(Object.keys(config.audit.hmacKeys)).toEqual(["2026-03"]);
  });
});

describe("loadConfig: retired audit keys", () => {
  it("keeps retired keys beside the current one so old records still verify", () => {
    const retired = strongHex();
    const older = strongBase64();
    const config = loadConfig(
      productionEnv({ AUDIT_HMAC_KEY_ID: "k3", AUDIT_HMAC_RETIRED_KEYS: `k1=${older}, k2=${retired}` }),
    );
    expect(Object.keys(config.audit.hmacKeys).sort()).toEqual(["k1", "k2", "k3"]);
    expect(Buffer.from(config.audit.hmacKeys.k2 ?? []).toString("hex")).toBe(retired);
    expect(Buffer.from(config.audit.hmacKeys.k1 ?? []).toString("base64")).toBe(older);
    expect(config.audit.hmacKeyId).toBe("k3");
  });

  it.each([
    ["an entry without =", "k0", /^AUDIT_HMAC_RETIRED_KEYS must be a comma-separated list of keyId=secret$/],
    ["an entry without an id", `=${"ab12".repeat(16)}`, /comma-separated list of keyId=secret/],
    ["the current key id", `k1=${strongHex()}`, /must not contain the current key id k1/],
    ["a weak key", "k0=tooshort", /^AUDIT_HMAC_RETIRED_KEYS key k0 is too weak/],
  ])("refuses %s", (_case, value, problem) => {
    expect(problemsOf(productionEnv({ AUDIT_HMAC_RETIRED_KEYS: value }))).toEqual([
      expect.stringMatching(problem),
    ]);
  });
});

describe("runtime setting overrides (RGW_SETTING_*)", () => {
  it("collects RGW_SETTING_* as lower-case setting keys", () => {
    const config = loadConfig(
      productionEnv({ RGW_SETTING_ALLOW_RACK_JWT: "true", RGW_SETTING_SESSION_TIMEOUT_MINUTES: "30" }),
    );
    expect(config.settingOverrides).toEqual({ allow_rack_jwt: "true", session_timeout_minutes: "30" });
    expect(validateSettingOverrides(config.settingOverrides)).toEqual([]);
  });

  it("an unknown or invalid setting is a start-up error, before anything is opened", async () => {
    const config = loadConfig(
      productionEnv({
        RGW_SETTING_ALOW_RACK_JWT: "true",
        RGW_SETTING_SESSION_TIMEOUT_MINUTES: "forever",
        // Would fail later if startGateway got as far as opening the database or binding.
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      }),
    );
    const problems = validateSettingOverrides(config.settingOverrides);
    expect(problems).toEqual([
      expect.stringMatching(/^RGW_SETTING_ALOW_RACK_JWT is not a known setting \(known: .*allow_rack_jwt/),
      "RGW_SETTING_SESSION_TIMEOUT_MINUTES has an invalid value",
    ]);
    const started = startGateway(config);
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toMatchObject({ problems });
  });
});

describe("loadOperatorConfig", () => {
  it("needs only the audit secret and the database, not the rack or the app secret", () => {
    const secret = strongHex();
    const config = loadOperatorConfig({ AUDIT_HMAC_SECRET: secret, RACK_GATEWAY_DATA_DIR: "/srv/rgw" });
    expect(config.mode).toBe("production");
    expect(config.database.dataDir).toBe("/srv/rgw");
    expect(Buffer.from(config.audit.hmacKeys.k1 ?? []).toString("hex")).toBe(secret);
  });

  it("refuses a missing or weak AUDIT_HMAC_SECRET with the fix-it text", () => {
    expect(() => loadOperatorConfig({})).toThrow(
      /AUDIT_HMAC_SECRET is required: generate one with `openssl rand -hex 32`/,
    );
    expect(() => loadOperatorConfig({ AUDIT_HMAC_SECRET: "weak" })).toThrow(ConfigError);
  });
});
