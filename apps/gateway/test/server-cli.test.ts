import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeRack, startFakeRack } from "@rack-gateway/convox-client/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, displayPrefixOf, hashApiToken } from "../src/auth/api-token.js";
import { loadConfig } from "../src/config/config.js";
import { openDatabase } from "../src/db/open.js";
import { startGateway } from "../src/main.js";
import { basicAuth } from "./harness.js";
import { runCliCaptured as cli, runCliProcess, startServeProcess } from "./server-process.js";

const TOKEN_LINE = /^rgw_[0-9A-Za-z]{49}\n$/;

interface ListedToken {
  id: string;
  name: string;
  displayPrefix: string;
  status: string;
  grants: unknown;
  expiresAt: string | null;
  [field: string]: unknown;
}

describe("rack-gateway-server (operator command)", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let rack: FakeRack;
  const rackPassword = `rack/${randomBytes(9).toString("base64url")}`;

  const listJson = async () => {
    const run = await cli(["tokens", "list", "--json"], env);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ListedToken[];
  };
  const createToken = async (...flags: string[]) => {
    const run = await cli(["tokens", "create", ...flags], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(TOKEN_LINE);
    return { token: run.stdout.trim(), stderr: run.stderr };
  };
  const verifiedCount = async () => {
    const run = await cli(["audit", "verify"], env);
    expect(run.code, run.stdout).toBe(0);
    const count = /^ok: (\d+) events, chain intact/.exec(run.stdout)?.[1];
    expect(count).toBeDefined();
    return Number(count);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "rgw-cli-"));
    env = { RACK_GATEWAY_DATA_DIR: dataDir, AUDIT_HMAC_SECRET: randomBytes(32).toString("hex") };
    rack = await startFakeRack({ password: rackPassword });
  });
  afterAll(async () => {
    await rack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("tokens create", () => {
    it("prints only the token on stdout and the note on stderr", async () => {
      const { token, stderr } = await createToken("--name", "ci deploy", "--role", "deployer");
      expect(stderr).toMatch(
        /^Created API token [0-9a-f-]{36} "ci deploy" \(deployer\), no expiry\.\nIt is shown only once/,
      );
      expect(stderr).not.toContain(token);
      const listed = (await listJson()).find((entry) => entry.name === "ci deploy");
      expect(listed).toMatchObject({ status: "active", grants: [{ role: "deployer" }], expiresAt: null });
      expect(token.startsWith(listed?.displayPrefix ?? "?")).toBe(true);
    });

    it("scopes to apps, expires, and accepts explicit permissions", async () => {
      const before = Date.now();
      const { stderr } = await createToken(
        "--name",
        "release-bot",
        "--permissions",
        "convox:release:list, convox:release:read",
        "--apps",
        "myapp,billing",
        "--expires-in",
        "90d",
      );
      expect(stderr).toContain("(convox:release:list+convox:release:read (apps: myapp,billing)), expires 20");
      const listed = (await listJson()).find((entry) => entry.name === "release-bot");
      expect(listed?.grants).toEqual([
        { permissions: ["convox:release:list", "convox:release:read"], apps: ["myapp", "billing"] },
      ]);
      const expiresAt = Date.parse(listed?.expiresAt ?? "");
      const ninetyDays = 90 * 86_400_000;
      expect(expiresAt).toBeGreaterThanOrEqual(before + ninetyDays);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + ninetyDays);

      await createToken(
        "--name",
        "viewer-myapp",
        "--role",
        "viewer",
        "--apps",
        "myapp",
        "--expires-in",
        "12h",
      );
    });

    let countBeforeRefusals = 0;
    it("counts the tokens before the refusals", async () => {
      countBeforeRefusals = (await listJson()).length;
      expect(countBeforeRefusals).toBe(3);
    });

    it.each([
      ["an unknown role", ["--name", "x", "--role", "superuser"], /unknown role superuser: use viewer, ops/],
      [
        "both --role and --permissions",
        ["--name", "x", "--role", "viewer", "--permissions", "convox:app:list"],
        /exactly one of --role/,
      ],
      ["neither --role nor --permissions", ["--name", "x"], /exactly one of --role/],
      [
        "an unknown permission",
        ["--name", "x", "--permissions", "convox:app:list,rack:own"],
        /unknown permission\(s\): rack:own/,
      ],
      [
        "rack-wide permissions scoped to apps",
        ["--name", "x", "--permissions", "convox:app:list", "--apps", "myapp"],
        /cannot scope rack-wide permissions/,
      ],
      [
        "a bad duration",
        ["--name", "x", "--role", "viewer", "--expires-in", "90 days"],
        /--expires-in must look like 30m, 12h, 90d/,
      ],
      [
        "a zero duration",
        ["--name", "x", "--role", "viewer", "--expires-in", "0d"],
        /--expires-in must be positive/,
      ],
      ["a missing name", ["--role", "viewer"], /--name is required/],
      ["a bad name", ["--name", "ci;rm -rf /", "--role", "viewer"], /--name is required: up to 100 letters/],
      ["a too long name", ["--name", "n".repeat(101), "--role", "viewer"], /--name is required/],
      ["an unknown flag", ["--name", "x", "--role", "viewer", "--owner", "me"], /--owner/],
    ])("refuses %s with exit 2, the reason and the usage", async (_case, flags, reason) => {
      const run = await cli(["tokens", "create", ...flags], env);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(reason);
      expect(run.stderr).toContain("Usage: rack-gateway-server <command>");
    });

    it("the refusals created no token", async () => {
      expect(await listJson()).toHaveLength(countBeforeRefusals);
    });
  });

  describe("tokens list and revoke", () => {
    it("lists tokens without ever showing a token or its hash", async () => {
      const { token } = await createToken("--name", "listed", "--role", "ops");
      const table = await cli(["tokens", "list"], env);
      const json = await cli(["tokens", "list", "--json"], env);
      for (const run of [table, json]) {
        expect(run.code).toBe(0);
        expect(run.stdout).not.toContain(token);
        expect(run.stdout).not.toContain(token.slice(10));
        expect(run.stdout).not.toContain(hashApiToken(token));
        expect(run.stdout).not.toMatch(/tokenHash|token_hash/i);
      }
      const row = table.stdout.split("\n").find((line) => line.includes("\tlisted\t"));
      expect(row?.split("\t")).toEqual([
        expect.stringMatching(/^[0-9a-f-]{36}$/),
        token.slice(0, 10),
        "active",
        "listed",
        "ops",
        "never used",
      ]);
    });

    it("lists a token whose person no longer holds its grants as suspended, with the reason", async () => {
      // A person's token, written straight into the data directory (the CLI only makes operator tokens).
      const database = await openDatabase({ dataDir });
      try {
        const { stores } = database;
        const person = await stores.users.create({
          email: "leaver@example.com",
          name: "Leaver",
          grants: [{ role: "admin" }],
          grantsSource: "admin",
          createdBy: "test",
          createdAt: new Date(),
        });
        const token = createApiToken((size) => new Uint8Array(randomBytes(size)));
        await stores.tokens.create({
          name: "leavers-bot",
          tokenHash: hashApiToken(token),
          displayPrefix: displayPrefixOf(token),
          grants: [{ role: "admin" }],
          createdBy: person.email,
          createdByUserId: person.id,
          createdAt: new Date(),
          expiresAt: null,
        });
        await stores.users.setGrants(person.id, [{ role: "viewer" }], "admin", new Date());
      } finally {
        await database.close();
      }
      const listed = (await listJson()).find((entry) => entry.name === "leavers-bot");
      expect(listed).toMatchObject({ status: "suspended" });
      expect(listed?.suspendedBecause).toContain("leaver@example.com");
      const table = await cli(["tokens", "list"], env);
      const row = table.stdout.split("\n").find((line) => line.includes("\tleavers-bot\t"));
      expect(row?.split("\t")[2]).toMatch(/^suspended \(.*grants more than leaver@example\.com now holds/);
    });

    it("revokes once; a second revoke (or an unknown id) fails with exit 1", async () => {
      await createToken("--name", "to-revoke", "--role", "viewer");
      const id = (await listJson()).find((entry) => entry.name === "to-revoke")?.id ?? "";
      const first = await cli(["tokens", "revoke", id], env);
      expect(first).toMatchObject({ code: 0, stderr: `Revoked API token ${id}.\n` });
      const second = await cli(["tokens", "revoke", id], env);
      expect(second).toMatchObject({ code: 1, stderr: `No active API token with id ${id}.\n` });
      expect((await cli(["tokens", "revoke", "not-a-uuid"], env)).code).toBe(1);
      expect((await cli(["tokens", "revoke"], env)).code).toBe(2);
      expect((await listJson()).find((entry) => entry.id === id)?.status).toBe("revoked");
    });

    it("a created token works against a gateway on that data directory; a revoked one does not", async () => {
      const { token: kept } = await createToken("--name", "works", "--role", "viewer");
      const { token: revoked } = await createToken("--name", "revoked-before-use", "--role", "viewer");
      const id = (await listJson()).find((entry) => entry.name === "revoked-before-use")?.id ?? "";
      expect((await cli(["tokens", "revoke", id], env)).code).toBe(0);

      const gateway = await startGateway(
        loadConfig({
          ...env,
          HOST: "127.0.0.1",
          PORT: "0",
          RACK_HOST: rack.url,
          RACK_TOKEN: rackPassword,
          APP_SECRET_KEY: randomBytes(32).toString("base64"),
        }),
        { writeLine: null, logError: () => {} },
      );
      try {
        const get = (token: string) =>
          fetch(`${gateway.url}/api/v1/rack-proxy/apps`, { headers: { Authorization: basicAuth(token) } });
        const allowed = await get(kept);
        expect(allowed.status).toBe(200);
        expect(((await allowed.json()) as Array<{ name: string }>).map((app) => app.name)).toContain("myapp");
        const refused = await get(revoked);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toEqual({
          error: "invalid authentication",
          code: "INVALID_AUTHENTICATION",
        });
      } finally {
        await gateway.close();
      }
      const listed = (await listJson()).find((entry) => entry.name === "works");
      expect(listed?.lastUsedAt).toEqual(expect.any(String));
    });
  });

  describe("audit", () => {
    it("verify exits 0 with the event count, which grows by one per operator action", async () => {
      const before = await verifiedCount();
      expect(before).toBeGreaterThan(0);
      await createToken("--name", "counted", "--role", "viewer");
      expect(await verifiedCount()).toBe(before + 1);
    });

    it("tail -n 2 prints the two newest events as JSON lines", async () => {
      await createToken("--name", "tail-one", "--role", "viewer");
      await createToken("--name", "tail-two", "--role", "viewer");
      const head = await verifiedCount();
      const run = await cli(["audit", "tail", "-n", "2"], env);
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events.map((event) => event.seq)).toEqual([head - 1, head]);
      expect(events.map((event) => (event.detail as { name?: string }).name)).toEqual([
        "tail-one",
        "tail-two",
      ]);
      expect(events[1]).toMatchObject({
        action: "token.create",
        decision: "allow",
        actor: { type: "system", id: "operator" },
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect((await cli(["audit", "tail", "-n", "0"], env)).code).toBe(2);
    });

    it("public-key prints the checkpoint key id and Ed25519 public key, derived from the audit secret", async () => {
      const first = await cli(["audit", "public-key"], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^cp-k1 [0-9a-f]{64}\n$/);
      expect((await cli(["audit", "public-key"], env)).stdout).toBe(first.stdout);
      const other = await cli(["audit", "public-key"], {
        AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
      });
      expect(other.stdout).not.toBe(first.stdout);
    });

    it("verify fails (exit 1) when the chain is checked with the wrong secret", async () => {
      const run = await cli(["audit", "verify"], {
        ...env,
        AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAILED at index 0 \(seq 1\): /);
    });
  });

  describe("configuration and usage errors", () => {
    it.each([[["tokens", "list"]], [["audit", "verify"]], [["audit", "public-key"]], [["migrate"]]])(
      "%j without AUDIT_HMAC_SECRET exits 78 with the fix-it message",
      async (argv) => {
        const run = await cli(argv, { RACK_GATEWAY_DATA_DIR: dataDir });
        expect(run.code).toBe(78);
        expect(run.stderr).toContain(
          "AUDIT_HMAC_SECRET is required: generate one with `openssl rand -hex 32`; it must never change afterwards",
        );
      },
    );

    it("unknown commands exit 2 with the usage; help exits 0", async () => {
      for (const argv of [["frobnicate"], ["tokens", "rotate"], ["audit", "erase"]]) {
        const run = await cli(argv, env);
        expect(run.code, argv.join(" ")).toBe(2);
        expect(run.stderr).toContain("Usage: rack-gateway-server <command>");
      }
      expect((await cli(["help"], env)).code).toBe(0);
      expect((await cli([], env)).code).toBe(2);
    });
  });

  describe("as real processes", () => {
    it("tokens create prints only the token line on stdout and the note on stderr", async () => {
      const result = await runCliProcess(
        ["tokens", "create", "--name", "subprocess", "--role", "cicd", "--apps", "myapp"],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(TOKEN_LINE);
      expect(result.stderr).toMatch(
        /^Created API token [0-9a-f-]{36} "subprocess" \(cicd \(apps: myapp\)\), no expiry\./,
      );
      expect(result.stderr).toContain("It is shown only once: store it in your CI secrets now.");
      expect(result.stderr).not.toContain(result.stdout.trim());
    });

    it("while serve holds the data directory, another subcommand fails fast with exit 75 naming its pid", async () => {
      const server = await startServeProcess({
        ...env,
        RACK_HOST: rack.url,
        RACK_TOKEN: rackPassword,
        APP_SECRET_KEY: randomBytes(32).toString("base64"),
        PORT: "0",
        HOST: "127.0.0.1",
      });
      try {
        const health = await fetch(`${server.url}/api/v1/health`);
        expect(health.status).toBe(200);
        const blocked = await runCliProcess(["tokens", "list"], env, 30_000);
        expect(blocked.signal).toBeNull();
        expect(blocked.code).toBe(75);
        expect(blocked.elapsedMs).toBeLessThan(15_000);
        expect(blocked.stdout).toBe("");
        expect(blocked.stderr).toContain(`is in use by rack-gateway-server (pid ${server.pid}`);
        expect(blocked.stderr).toContain("set DATABASE_URL to share PostgreSQL");
      } finally {
        const exit = await server.stop("SIGTERM");
        expect(exit).toEqual({ code: 0, signal: null });
      }
      expect(server.stderr()).toContain("Shutting down");
      // The lock went with the server: the data directory is usable again.
      expect((await cli(["tokens", "list"], env)).code).toBe(0);
    });
  });
});
