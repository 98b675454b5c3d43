import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiToken } from "../src/auth/api-token.js";
import type { Harness } from "./harness.js";
import {
  auditEventsOf,
  clientFor,
  createUser,
  expectNoSecrets,
  type Person,
  personWithRole,
  signIn,
  startPeopleHarness,
} from "./people.js";

type TokenJson = { id: string; name: string; status: string; createdBy: string; expiresAt: string | null };

describe("API tokens through the admin API", () => {
  let harness: Harness;
  let admin: Person;
  let asAdmin: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    admin = await personWithRole(harness, "admin");
    asAdmin = clientFor(harness, admin.credentials);
  });
  afterAll(() => harness.close());

  const everythingLogged = async () => {
    const records = await harness.auditRecords();
    return `${JSON.stringify(records)}\n${harness.auditLines.join("\n")}`;
  };

  it("creates a token shown once, attributed to its creator, working on the rack proxy", async () => {
    const created = await asAdmin("POST", "/api/v1/tokens", {
      body: { name: "ci deploys", grants: [{ role: "cicd", apps: ["myapp"] }], expiresInDays: 90 },
    });
    expect(created.status, created.text).toBe(201);
    const { token, apiToken } = created.json<{ token: string; apiToken: TokenJson }>();
    expect(token).toMatch(/^rgw_[0-9A-Za-z]{49}$/);
    expect(apiToken).toMatchObject({ name: "ci deploys", status: "active", createdBy: admin.user.email });
    expect(Date.parse(apiToken.expiresAt ?? "") - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(created.text).not.toContain(hashApiToken(token));
    expect((await harness.rackRequest(token, "GET", "/apps/myapp")).status).toBe(200);

    const listed = await asAdmin("GET", "/api/v1/tokens");
    expect(listed.json<{ tokens: TokenJson[] }>().tokens.map((listedToken) => listedToken.id)).toContain(
      apiToken.id,
    );
    expectNoSecrets(listed.text, [token, hashApiToken(token), ...Object.values(harness.tokens)]);

    const [event] = await auditEventsOf(harness, created);
    expect(event).toMatchObject({
      action: "token.create",
      actor: { type: "user", email: admin.user.email },
      detail: { tokenId: apiToken.id, name: "ci deploys", grants: [{ role: "cicd", apps: ["myapp"] }] },
    });
    const logged = await everythingLogged();
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(hashApiToken(token));
  });

  it("lets an admin create an admin token", async () => {
    const created = await asAdmin("POST", "/api/v1/tokens", {
      body: { name: "break glass", grants: [{ role: "admin" }] },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json()).toMatchObject({ apiToken: { expiresAt: null, grants: [{ role: "admin" }] } });
  });

  it("never issues a token granting more than its creator holds", async () => {
    // May manage tokens, but administers only the app myapp.
    const scoped = await signIn(
      harness,
      await createUser(harness, [
        { role: "admin", apps: ["myapp"] },
        { permissions: ["gateway:token:manage"] },
      ]),
    );
    const asScoped = clientFor(harness, scoped.credentials);
    for (const grants of [
      [{ role: "admin" }],
      [{ role: "viewer" }],
      [{ role: "deployer", apps: ["other"] }],
    ]) {
      const refused = await asScoped("POST", "/api/v1/tokens", { body: { name: "wider", grants } });
      expect(refused.status, JSON.stringify(grants)).toBe(403);
      expect(refused.json()).toMatchObject({
        code: "FORBIDDEN",
        error: expect.stringContaining("never grants more"),
      });
    }
    const within = await asScoped("POST", "/api/v1/tokens", {
      body: { name: "myapp deployer", grants: [{ role: "deployer", apps: ["myapp"] }] },
    });
    expect(within.status, within.text).toBe(201);
    expect(within.json()).toMatchObject({ apiToken: { createdBy: scoped.user.email } });

    // A token holding gateway:token:manage is bound the same way, by its own grants.
    const manager = await harness.createToken(
      [{ role: "deployer" }, { permissions: ["gateway:token:manage"] }],
      {
        name: "token manager",
      },
    );
    const asManager = clientFor(harness, { kind: "bearer", token: manager });
    expect(
      (await asManager("POST", "/api/v1/tokens", { body: { name: "x", grants: [{ role: "admin" }] } }))
        .status,
    ).toBe(403);
    const cicd = await asManager("POST", "/api/v1/tokens", {
      body: { name: "ci", grants: [{ role: "cicd" }] },
    });
    expect(cicd.status, cicd.text).toBe(201);
    // Made by a token: attributed to whoever made that one (here the harness, standing in for the operator).
    const [managerRecord] = (await harness.gateway.deps.stores.tokens.list()).filter(
      (listed) => listed.name === "token manager",
    );
    expect(cicd.json()).toMatchObject({
      apiToken: { createdBy: "harness", createdByTokenId: managerRecord?.id },
    });
  });

  it("is refused to roles without gateway:token:manage", async () => {
    const deployer = await personWithRole(harness, "deployer");
    const refused = await clientFor(harness, deployer.credentials)("POST", "/api/v1/tokens", {
      body: { name: "mine", grants: [{ role: "cicd" }] },
    });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ code: "FORBIDDEN" });
  });

  it.each([
    ["no name", { grants: [{ role: "cicd" }] }, "name"],
    ["a name with odd characters", { name: "x<script>", grants: [{ role: "cicd" }] }, "name"],
    ["no grants", { name: "n", grants: [] }, "at least one grant"],
    ["an unknown role", { name: "n", grants: [{ role: "root" }] }, "unknown role"],
    [
      "an explicit rack JWT permission",
      { name: "n", grants: [{ permissions: ["convox:rack:jwt"] }] },
      "convox:rack:jwt",
    ],
    ["a negative lifetime", { name: "n", grants: [{ role: "cicd" }], expiresInDays: -1 }, "expiresInDays"],
  ])("answers 400 BAD_REQUEST for %s", async (_, body, mentions) => {
    const result = await asAdmin("POST", "/api/v1/tokens", { body });
    expect(result.status, result.text).toBe(400);
    expect(result.json()).toMatchObject({ code: "BAD_REQUEST", error: expect.stringContaining(mentions) });
  });

  it("revokes a token at once, audited, and says so when there was nothing to revoke", async () => {
    const created = await asAdmin("POST", "/api/v1/tokens", {
      body: { name: "short lived", grants: [{ role: "viewer" }] },
    });
    const { token, apiToken } = created.json<{ token: string; apiToken: TokenJson }>();
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(200);

    const revoked = await asAdmin("DELETE", `/api/v1/tokens/${apiToken.id}`);
    expect(revoked.json()).toEqual({ revoked: true });
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(401);
    const [event] = await auditEventsOf(harness, revoked);
    expect(event).toMatchObject({
      action: "token.revoke",
      actor: { email: admin.user.email },
      detail: { tokenId: apiToken.id, name: "short lived" },
    });
    const listed = await asAdmin("GET", "/api/v1/tokens");
    expect(
      listed.json<{ tokens: TokenJson[] }>().tokens.find((listedToken) => listedToken.id === apiToken.id),
    ).toMatchObject({
      status: "revoked",
    });

    const again = await asAdmin("DELETE", `/api/v1/tokens/${apiToken.id}`);
    expect(again.json()).toEqual({ revoked: false });
    expect(await auditEventsOf(harness, again)).toEqual([]);
    for (const id of ["6b1f6c2e-0000-4000-8000-000000000000", "nope"]) {
      const missing = await asAdmin("DELETE", `/api/v1/tokens/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.json()).toMatchObject({ code: "NOT_FOUND" });
    }
  });
});
