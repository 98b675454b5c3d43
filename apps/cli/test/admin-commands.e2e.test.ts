import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../gateway/test/harness.js";
import { type CliRunOptions, createHome, runCli } from "./cli-process.js";
import { type SignedInPerson, startCliSession, writeSignedInConfig } from "./signed-in.js";

describe("gateway administration commands", () => {
  let harness: Harness;
  const homes: Record<"viewer" | "ops" | "admin", Record<string, string>> = {
    viewer: {},
    ops: {},
    admin: {},
  };
  const people = {} as Record<"viewer" | "ops" | "admin", SignedInPerson>;
  const as = (who: keyof typeof homes, args: readonly string[], options: CliRunOptions = {}) =>
    runCli(args, { ...options, env: { ...homes[who], ...options.env } });

  beforeAll(async () => {
    harness = await startHarness();
    for (const role of ["viewer", "ops", "admin"] as const) {
      const home = createHome();
      people[role] = await startCliSession(harness, [{ role }], role);
      writeSignedInConfig(home.configHome, harness.gatewayUrl, { local: people[role] }, "local");
      homes[role] = home.env;
    }
  });
  afterAll(() => harness?.close());

  it.each([
    [["users", "list"], "gateway:user:read"],
    [["users", "add", "x@example.com", "--role", "viewer"], "gateway:user:manage"],
    [["users", "lock", "x@example.com", "--reason", "r"], "gateway:user:manage"],
    [["sessions", "list", "--user", "x@example.com"], "gateway:user:read"],
    [["api-token", "create", "--name", "t", "--role", "viewer"], "gateway:token:manage"],
    [["api-token", "list"], "gateway:token:read"],
    [["audit", "tail"], "gateway:audit:read"],
    [["audit", "verify"], "gateway:audit:verify"],
  ])("a viewer running %j is denied with the reason, exit 4", async (args, permission) => {
    const result = await as("viewer", args);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^rack-gateway: permission denied: .*${permission}`));
    expect(result.stdout).toBe("");
  });

  it("users add, list, set-role, lock (ends their sessions) and unlock", async () => {
    const added = await as("admin", [
      "users",
      "add",
      "bob@example.com",
      "--role",
      "deployer",
      "--apps",
      "myapp",
    ]);
    expect(added).toMatchObject({ code: 0, stdout: "Added bob@example.com as deployer on myapp\n" });
    expect((await as("admin", ["users", "add", "bob@example.com", "--role", "viewer"])).code).toBe(1);
    expect((await as("admin", ["users", "add", "eve@example.com", "--role", "root"])).code).toBe(2);

    const list = await as("admin", ["users", "list"]);
    expect(list.stdout).toMatch(/^bob@example\.com\s+bob\s+deployer\(myapp\)\s+false/m);
    const users = JSON.parse((await as("admin", ["users", "list", "--json"])).stdout) as { email: string }[];
    expect(users.map((user) => user.email)).toContain("bob@example.com");

    expect((await as("admin", ["users", "set-role", "bob@example.com", "ops"])).code).toBe(0);
    const bob = await harness.gateway.deps.stores.users.findByEmail("bob@example.com");
    expect(bob?.grants).toEqual([{ role: "ops" }]);

    const { token } = await harness.gateway.deps.sessions.start(bob!, "cli", {
      deviceName: "bob's laptop",
      ip: null,
      userAgent: null,
    });
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(200);
    const locked = await as("admin", ["users", "lock", "bob@example.com", "--reason", "laptop stolen"]);
    expect(locked.code).toBe(0);
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(401);
    expect((await as("admin", ["users", "list"])).stdout).toMatch(/^bob@example\.com\s+bob\s+ops\s+true/m);
    expect((await as("admin", ["users", "unlock", "bob@example.com"])).code).toBe(0);
    expect((await harness.gateway.deps.stores.users.findByEmail("bob@example.com"))?.lockedAt).toBeNull();
    expect((await as("admin", ["users", "lock", "nobody@example.com", "--reason", "x"])).code).toBe(5);
  });

  it("sessions list marks the current one; an admin lists and revokes another person's", async () => {
    const mine = await as("ops", ["sessions", "list"]);
    expect(mine.stdout).toContain(`* ${people.ops.sessionId}`);
    const theirs = JSON.parse(
      (await as("admin", ["sessions", "list", "--user", people.viewer.email, "--json"])).stdout,
    ) as { id: string }[];
    expect(theirs.map((session) => session.id)).toContain(people.viewer.sessionId);

    const extra = await startCliSession(harness, [{ role: "viewer" }], "extra");
    const revoked = await as("admin", ["sessions", "revoke", extra.sessionId, "--user", extra.email]);
    expect(revoked.code).toBe(0);
    expect((await harness.rackRequest(extra.token, "GET", "/apps")).status).toBe(401);
    // Someone else's session id is "not found" to its non-owner.
    expect((await as("ops", ["sessions", "revoke", people.viewer.sessionId])).code).toBe(5);
  });

  it("api-token create prints the token once; it works in CI mode until revoked", async () => {
    const created = await as("admin", ["api-token", "create", "--name", "ci-myapp", "--role", "viewer"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^rgw_/);
    expect(created.stderr).toContain("it will not be shown again");

    const ci = createHome();
    const ciEnv = { ...ci.env, RACK_GATEWAY_URL: harness.gatewayUrl, RACK_GATEWAY_API_TOKEN: token };
    expect((await runCli(["apps"], { env: ciEnv })).code).toBe(0);

    const list = await as("admin", ["api-token", "list"]);
    expect(list.stdout).toMatch(/ci-myapp\s+rgw_\S+\s+viewer\s+active/);
    expect(list.stdout).not.toContain(token);
    const tokens = JSON.parse((await as("admin", ["api-token", "list", "--json"])).stdout) as {
      id: string;
      name: string;
    }[];
    const id = tokens.find((entry) => entry.name === "ci-myapp")?.id ?? "";

    expect((await as("admin", ["api-token", "revoke", id])).code).toBe(0);
    const after = await runCli(["apps"], { env: ciEnv });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain("RACK_GATEWAY_API_TOKEN was refused");
  });

  it("audit tail shows the latest events; audit verify checks the chain", async () => {
    await as("viewer", ["apps"]);
    const records = await harness.auditRecords();
    const lastSeq = Math.max(...records.map((record) => record.seq));
    const tail = await as("admin", ["audit", "tail", "--limit", "5", "--json"]);
    expect(tail.code).toBe(0);
    const lines = tail.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { seq: number });
    expect(lines.map((line) => line.seq)).toEqual([
      lastSeq - 4,
      lastSeq - 3,
      lastSeq - 2,
      lastSeq - 1,
      lastSeq,
    ]);
    const text = await as("admin", ["audit", "tail", "--limit", "3"]);
    expect(text.stdout.trim().split("\n")).toHaveLength(3);

    const verify = await as("admin", ["audit", "verify"]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^Audit chain OK \(\d+ events\)$/m);
    expect(JSON.parse((await as("admin", ["audit", "verify", "--json"])).stdout)).toMatchObject({ ok: true });
  });

  it("rbac explain: locally for oneself with @rack-gateway/rbac, through the gateway with --as", async () => {
    const viewer = await as("viewer", ["rbac", "explain", "POST", "/apps/myapp/services/web/restart"]);
    expect(viewer.code).toBe(0);
    expect(viewer.stdout).toContain(`Principal:  user ${people.viewer.email}`);
    expect(viewer.stdout).toMatch(/^Decision:\s+DENY — role viewer lacks convox:app:restart/m);
    const ops = await as("ops", ["rbac", "explain", "post", "/apps/myapp/services/web/restart", "--json"]);
    expect(JSON.parse(ops.stdout)).toMatchObject({
      outcome: "allow",
      permission: { permission: "convox:app:restart" },
    });

    const asViewer = await as("admin", [
      "rbac",
      "explain",
      "DELETE",
      "/apps/myapp",
      "--as",
      people.viewer.email,
    ]);
    expect(asViewer.stdout).toContain(`user ${people.viewer.email}`);
    expect(asViewer.stdout).toMatch(/Decision:\s+DENY/);
    expect((await as("viewer", ["rbac", "explain", "GET", "/apps", "--as", people.admin.email])).code).toBe(
      4,
    );
  });
});
