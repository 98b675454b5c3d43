import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../gateway/test/harness.js";
import { createHome, runCli } from "./cli-process.js";
import { type SignedInPerson, startCliSession, writeSignedInConfig } from "./signed-in.js";

describe("racks, sessions and CI mode", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());

  const signIn = async (racks: Record<string, "viewer" | "ops" | "admin">, current: string) => {
    const home = createHome();
    const people: Record<string, SignedInPerson> = {};
    for (const [alias, role] of Object.entries(racks))
      people[alias] = await startCliSession(harness, [{ role }], role);
    const path = writeSignedInConfig(home.configHome, harness.gatewayUrl, people, current);
    return { ...home, people, path, run: (args: string[]) => runCli(args, { env: home.env }) };
  };
  const meStatus = async (token: string) =>
    (await fetch(`${harness.gatewayUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } }))
      .status;

  it("whoami and status show user, roles, rack and session expiry", async () => {
    const { run, people } = await signIn({ staging: "ops" }, "staging");
    const whoami = await run(["whoami"]);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`User     ${people.staging?.email}`);
    expect(whoami.stdout).toMatch(/^Roles\s+ops$/m);
    expect(whoami.stdout).toContain(`Rack     staging (`);
    expect(whoami.stdout).toContain(`expires ${people.staging?.expiresAt}`);
    const status = await run(["status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      alias: "staging",
      kind: "user",
      user: { email: people.staging?.email },
      grants: [{ role: "ops" }],
      session: { id: people.staging?.sessionId, current: true },
    });
  });

  it("racks lists every signed-in rack without tokens; switch changes the current one", async () => {
    const { run, people } = await signIn({ staging: "viewer", production: "admin" }, "staging");
    const racks = await run(["racks"]);
    expect(racks.stdout).toMatch(/^\*\s+staging\s/m);
    expect(racks.stdout).toMatch(/^\s+production\s/m);
    const json = await run(["racks", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ alias: "staging", current: true, email: people.staging?.email }),
      expect.objectContaining({ alias: "production", current: false, email: people.production?.email }),
    ]);
    for (const person of Object.values(people))
      expect(racks.stdout + json.stdout).not.toContain(person.token);

    expect((await run(["switch", "production"])).code).toBe(0);
    expect((await run(["whoami"])).stdout).toContain(people.production?.email);
    expect((await run(["whoami", "--rack", "staging"])).stdout).toContain(people.staging?.email);
    const unknown = await run(["switch", "nowhere"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain("known: staging, production");
  });

  it("logout revokes the session on the gateway, then forgets it (file stays 0600, directory 0700)", async () => {
    const { run, people, path } = await signIn({ staging: "viewer", production: "viewer" }, "staging");
    const token = people.staging?.token ?? "";
    expect(await meStatus(token)).toBe(200);
    const logout = await run(["logout"]);
    expect(logout).toMatchObject({
      code: 0,
      stdout: "Signed out of staging; current rack is now production\n",
    });
    expect(await meStatus(token)).toBe(401);
    const proxied = await harness.rackRequest(token, "GET", "/apps");
    expect(proxied.status).toBe(401);
    const config = JSON.parse(readFileSync(path, "utf8"));
    expect(Object.keys(config.racks)).toEqual(["production"]);
    expect(readFileSync(path, "utf8")).not.toContain(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    // The other rack's session is untouched.
    expect(await meStatus(people.production?.token ?? "")).toBe(200);
    expect((await run(["logout", "staging"])).code).toBe(3);
  });

  it("a config file readable by others is reset to 0600 with a warning", async () => {
    const { run, path } = await signIn({ staging: "viewer" }, "staging");
    chmodSync(path, 0o644);
    const racks = await run(["racks"]);
    expect(racks.code).toBe(0);
    expect(racks.stderr).toContain("was readable by other users (mode 0644); it is now 0600");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("a revoked session says to sign in again, naming the rack and gateway (exit 3)", async () => {
    const { run, people } = await signIn({ staging: "viewer" }, "staging");
    await harness.gateway.deps.stores.sessions.revoke(people.staging?.sessionId ?? "", "test", new Date());
    const apps = await run(["apps"]);
    expect(apps.code).toBe(3);
    expect(apps.stderr).toBe(
      `rack-gateway: your session for staging expired or was revoked — run \`rack-gateway login staging ${harness.gatewayUrl}\`\n`,
    );
    expect((await run(["whoami"])).code).toBe(3);
  });

  it("not signed in, or the gateway unreachable: clear messages and exit codes", async () => {
    const empty = createHome();
    const none = await runCli(["apps"], { env: empty.env });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("run `rack-gateway login <alias> <gateway-url>`");
    expect(existsSync(empty.configHome)).toBe(false);

    const { configHome, env, people } = await signIn({ staging: "viewer" }, "staging");
    writeSignedInConfig(
      configHome,
      "http://127.0.0.1:9",
      { staging: people.staging as SignedInPerson },
      "staging",
    );
    const down = await runCli(["apps"], { env });
    expect(down.code).toBe(6);
    expect(down.stderr).toContain("lost the connection to the gateway");
    const downApi = await runCli(["whoami"], { env });
    expect(downApi.code).toBe(6);
    expect(downApi.stderr).toContain("cannot reach the gateway at http://127.0.0.1:9");
  });

  it("CI mode: RACK_GATEWAY_URL + RACK_GATEWAY_API_TOKEN, no config file read or written", async () => {
    const ci = createHome();
    const env = {
      ...ci.env,
      RACK_GATEWAY_URL: harness.gatewayUrl,
      RACK_GATEWAY_API_TOKEN: harness.tokens.viewer,
    };
    const apps = await runCli(["apps", "--json"], { env });
    expect(apps.code).toBe(0);
    expect(JSON.parse(apps.stdout)).toEqual([expect.objectContaining({ name: "myapp" })]);
    const whoami = await runCli(["whoami"], { env });
    expect(whoami.stdout).toMatch(/^Token\s+viewer-token \(rgw_/m);
    const restart = await runCli(["restart", "-a", "myapp"], { env });
    expect(restart.code).toBe(4);
    expect(existsSync(ci.configHome)).toBe(false);

    const bad = await runCli(["apps"], { env: { ...env, RACK_GATEWAY_API_TOKEN: "rgw_not-a-real-token" } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("RACK_GATEWAY_API_TOKEN was refused");
    const half = await runCli(["apps"], { env: { ...ci.env, RACK_GATEWAY_URL: harness.gatewayUrl } });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("RACK_GATEWAY_API_TOKEN is not set");
  });

  it("login refuses plain http to a remote host and a bad alias before any network call", async () => {
    const home = createHome();
    const remote = await runCli(["login", "prod", "http://gateway.example.com"], { env: home.env });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain("refusing plain http:// to gateway.example.com");
    const alias = await runCli(["login", "../etc", "https://gateway.example.com"], { env: home.env });
    expect(alias.code).toBe(2);
  });

  it("usage errors exit 2; --version and --help answer without a config", async () => {
    const home = createHome();
    expect((await runCli(["ps", "stop"], { env: home.env })).code).toBe(2);
    const version = await runCli(["--version"], { env: home.env });
    expect(version.stdout).toMatch(/^@rack-gateway\/cli\/0\.1\.0 linux-x64 node-v20\./);
    const help = await runCli(["--help"], { env: home.env });
    expect(help.stdout).toContain("deploy");
    expect(existsSync(home.configHome)).toBe(false);
  });
});
