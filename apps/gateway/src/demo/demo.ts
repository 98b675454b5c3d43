/**
 * @module `pnpm demo`: the whole product on one machine with nothing installed — the gateway on embedded
 * PostgreSQL (PGlite) in front of a fake Convox rack, people signing in at a fake OIDC provider (account
 * picker), and API tokens ready to paste.
 * Development mode only: secrets are generated once and kept (0600) in the demo's data directory so the audit
 * chain stays verifiable across runs.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startFakeRack } from "@rack-gateway/convox-client/testing";
import { startFakeOidcProvider } from "@rack-gateway/oauth/testing";
import { createTokenCommand } from "../cli/token-commands.js";
import { loadConfig } from "../config/config.js";
import { startGateway } from "../main.js";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const dataDir = process.env.RACK_GATEWAY_DATA_DIR ?? join(repoRoot, ".rack-gateway-data", "demo");
mkdirSync(dataDir, { recursive: true, mode: 0o700 });

const secretsFile = join(dataDir, "demo-secrets.json");
if (!existsSync(secretsFile)) {
  const secrets = {
    appSecretKey: randomBytes(32).toString("base64"),
    auditHmacSecret: randomBytes(32).toString("hex"),
  };
  writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
}
chmodSync(secretsFile, 0o600);
const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as {
  appSecretKey: string;
  auditHmacSecret: string;
};

const rackPassword = randomBytes(24).toString("base64url");
const rack = await startFakeRack({ password: rackPassword, logIntervalMs: 2000 });
const port = process.env.PORT ?? "8447";
const gatewayUrl = `http://127.0.0.1:${port}`;
// Sign-in goes through a fake OIDC provider: pick an account, no passwords. outsider@evil.example is there to
// be refused (another domain), stranger@example.com too (in the domain, but nobody provisioned them).
const idpClientSecret = randomBytes(24).toString("base64url");
const idp = await startFakeOidcProvider({
  clientId: "rack-gateway-demo",
  clientSecret: idpClientSecret,
  redirectUris: [`${gatewayUrl}/auth/callback`],
  users: [
    { sub: "demo-1", email: "admin@example.com", name: "Ada Admin", hd: "example.com" },
    { sub: "demo-2", email: "deployer@example.com", name: "Dee Deployer", hd: "example.com" },
    { sub: "demo-3", email: "viewer@example.com", name: "Vic Viewer", hd: "example.com" },
    {
      sub: "demo-4",
      email: "stranger@example.com",
      name: "Stan Stranger (not provisioned)",
      hd: "example.com",
    },
    {
      sub: "demo-5",
      email: "outsider@evil.example",
      name: "Oscar Outsider (other domain)",
      hd: "evil.example",
    },
  ],
  autoSelect: null,
});

const env = {
  NODE_ENV: "development",
  HOST: "127.0.0.1",
  PORT: port,
  RACK_HOST: rack.url,
  RACK_TOKEN: rackPassword,
  RACK_ALIAS: "demo",
  RACK_DISPLAY_NAME: "Demo (fake rack)",
  RACK_GATEWAY_DATA_DIR: dataDir,
  APP_SECRET_KEY: secrets.appSecretKey,
  AUDIT_HMAC_SECRET: secrets.auditHmacSecret,
  PROTECTED_ENV_VARS: "DATABASE_URL",
  AUDIT_LOG_STDOUT: process.env.AUDIT_LOG_STDOUT ?? "false",
  AUDIT_CHECKPOINT_EVERY: "50",
  GATEWAY_URL: gatewayUrl,
  OIDC_ISSUER: idp.issuer,
  OIDC_CLIENT_ID: "rack-gateway-demo",
  OIDC_CLIENT_SECRET: idpClientSecret,
  OIDC_ALLOWED_DOMAINS: "example.com",
  SECURE_COOKIES: "false",
  ADMIN_USERS: "admin@example.com",
  DEPLOYER_USERS: "deployer@example.com",
  VIEWER_USERS: "viewer@example.com",
};
const config = loadConfig(env);
const gateway = await startGateway(config);

const tokenDeps = {
  tokens: gateway.database.stores.tokens,
  audit: gateway.deps.audit,
  now: () => new Date(),
  actor: { type: "system" as const, id: "demo", name: "demo" },
  requestId: randomUUID(),
};
const admin = await createTokenCommand(tokenDeps, { name: "demo admin", role: "admin", expiresIn: "1d" });
const viewer = await createTokenCommand(tokenDeps, { name: "demo viewer", role: "viewer", expiresIn: "1d" });
const host = new URL(gateway.url).host;

process.stdout.write(`
Rack Gateway demo is running.

  gateway    ${gateway.url}  (embedded PostgreSQL in ${dataDir})
  fake rack  ${rack.url}  (only the gateway holds its password)
  fake IdP   ${idp.issuer}  (OIDC; an account picker instead of passwords)

Sign in with a browser (admin@, deployer@ or viewer@example.com; the other two accounts are refused):

  ${gateway.url}/auth/login

Sign a machine in without a browser (device code, RFC 8628):

  curl -s -X POST -H 'content-type: application/json' -d '{"device_name":"my laptop"}' ${gateway.url}/api/v1/auth/device
  # open verification_uri_complete in a browser, sign in, approve; then, every 5 seconds:
  curl -s -X POST -H 'content-type: application/json' -d '{"device_code":"<device_code>"}' ${gateway.url}/api/v1/auth/device/token
  # → {"token":"rgws_…", …}; use it like an API token:
  export RACK_URL=http://convox:<token>@${host}/api/v1/rack-proxy

Use the stock convox CLI through the gateway as an admin:

  export RACK_URL=http://convox:${admin.token}@${host}/api/v1/rack-proxy
  convox apps
  convox env -a myapp          # secrets and protected values come back masked
  convox logs -a myapp

…or as a viewer (read-only; try \`convox restart -a myapp\` and watch it be refused):

  export RACK_URL=http://convox:${viewer.token}@${host}/api/v1/rack-proxy

No convox CLI? curl works too:

  curl -s -u convox:${admin.token} ${gateway.url}/api/v1/rack-proxy/apps

Every call lands in the tamper-evident audit log. Stop the demo (Ctrl-C), then:

  RACK_GATEWAY_DATA_DIR=${dataDir} AUDIT_HMAC_SECRET=<from ${secretsFile}> pnpm server audit verify

(While the demo runs it holds the embedded database; \`pnpm server\` says so instead of corrupting it.)
Press Ctrl-C to stop.
`);

const stop = async () => {
  process.stdout.write("\nStopping…\n");
  await gateway.close();
  await rack.close();
  await idp.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
