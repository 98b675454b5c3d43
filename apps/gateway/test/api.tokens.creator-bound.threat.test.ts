// Threat: a token outlives or outgrows its creator — a person demoted, locked or deleted keeps admin through a token they made, or a short-lived token mints a child that never expires and survives its parent's revocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "./harness.js";
import { clientFor, createUser, type Person, personWithRole, signIn, startPeopleHarness } from "./people.js";

type TokenJson = {
  id: string;
  name: string;
  createdBy: string;
  createdByTokenId: string | null;
  expiresAt: string | null;
};

const RESTART = "/apps/myapp/services/web/restart";
const HOUR_MS = 3_600_000;

describe("a token never grants more than its creator holds, for as long as it lives", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startPeopleHarness({}, { database: "pglite" });
  });
  afterAll(() => harness.close());

  const issue = async (
    as: Person | string,
    body: { name: string; grants: unknown[]; expiresInDays?: number },
  ) => {
    const credentials = typeof as === "string" ? ({ kind: "bearer", token: as } as const) : as.credentials;
    const created = await clientFor(harness, credentials)("POST", "/api/v1/tokens", { body });
    expect(created.status, created.text).toBe(201);
    return created.json<{ token: string; apiToken: TokenJson }>();
  };
  const restartWith = async (token: string) => (await harness.rackRequest(token, "POST", RESTART)).status;
  const users = () => harness.gateway.deps.stores.users;

  it("stops an admin token once its creator is demoted to viewer", async () => {
    const admin = await personWithRole(harness, "admin");
    const { token } = await issue(admin, { name: "ops-bot", grants: [{ role: "admin" }] });
    expect(await restartWith(token)).toBe(200);

    await users().setGrants(admin.user.id, [{ role: "viewer" }], "admin", new Date());
    expect(await restartWith(token)).toBe(401);
    // Nor can it reach the gateway's own API, e.g. to mint a fresh token while it still could.
    const minted = await clientFor(harness, { kind: "bearer", token })("POST", "/api/v1/tokens", {
      body: { name: "escape", grants: [{ role: "admin" }] },
    });
    expect(minted.status).toBe(401);

    // Given back what the token needs, the person's token works again: it was never revoked, only bounded.
    await users().setGrants(admin.user.id, [{ role: "admin" }], "admin", new Date());
    expect(await restartWith(token)).toBe(200);
  });

  it("keeps a token that is still within what its demoted creator holds", async () => {
    const admin = await personWithRole(harness, "admin");
    const { token } = await issue(admin, { name: "reader", grants: [{ role: "viewer" }] });
    await users().setGrants(admin.user.id, [{ role: "deployer" }], "admin", new Date());
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(200);
  });

  it("stops a token while its creator is locked", async () => {
    const admin = await personWithRole(harness, "admin");
    const { token } = await issue(admin, { name: "ci-web", grants: [{ role: "cicd" }] });
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(200);

    await users().lock(admin.user.id, "left", "test", new Date());
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(401);
    await users().unlock(admin.user.id, new Date());
    expect((await harness.rackRequest(token, "GET", "/apps")).status).toBe(200);
  });

  it("stops a token for good once its creator is deleted, even if the email is added again", async () => {
    const admin = await personWithRole(harness, "admin");
    const { token } = await issue(admin, { name: "deploys", grants: [{ role: "admin" }] });
    expect(await restartWith(token)).toBe(200);

    expect(await users().delete(admin.user.id)).toBe(true);
    expect(await restartWith(token)).toBe(401);
    // A new account with the same email is a new person: it does not revive the old one's tokens.
    await createUser(harness, [{ role: "admin" }], { email: admin.user.email });
    expect(await restartWith(token)).toBe(401);
  });

  it("leaves tokens with no person behind them (the server operator's) alone", async () => {
    const operatorToken = await harness.createToken([{ role: "admin" }], { name: "operator-made" });
    const someAdmin = await personWithRole(harness, "admin");
    await users().setGrants(someAdmin.user.id, [{ role: "viewer" }], "admin", new Date());
    expect(await restartWith(operatorToken)).toBe(200);
  });

  it("caps a token made by a short-lived token at its parent's expiry", async () => {
    const parentExpiresAt = new Date(Date.now() + HOUR_MS);
    const parent = await harness.createToken([{ role: "admin" }], {
      name: "contractor-1h",
      expiresAt: parentExpiresAt,
    });
    const forever = await issue(parent, { name: "persist", grants: [{ role: "admin" }] });
    expect(forever.apiToken.expiresAt).toBe(parentExpiresAt.toISOString());
    const longer = await issue(parent, {
      name: "persist-90d",
      grants: [{ role: "admin" }],
      expiresInDays: 90,
    });
    expect(longer.apiToken.expiresAt).toBe(parentExpiresAt.toISOString());
  });

  it("stops every token a revoked token made, and the tokens those made", async () => {
    const admin = await personWithRole(harness, "admin");
    const asAdmin = clientFor(harness, admin.credentials);
    const parent = await issue(admin, { name: "parent", grants: [{ role: "admin" }] });
    const child = await issue(parent.token, { name: "child", grants: [{ role: "admin" }] });
    const grandchild = await issue(child.token, { name: "grandchild", grants: [{ role: "ops" }] });
    expect(await restartWith(child.token)).toBe(200);
    expect(await restartWith(grandchild.token)).toBe(200);

    const revoked = await asAdmin("DELETE", `/api/v1/tokens/${parent.apiToken.id}`);
    expect(revoked.json()).toEqual({ revoked: true });
    expect(await restartWith(parent.token)).toBe(401);
    expect(await restartWith(child.token)).toBe(401);
    expect(await restartWith(grandchild.token)).toBe(401);
  });

  it("records the person behind a token made by a token, and that person's demotion stops it", async () => {
    const admin = await signIn(harness, await createUser(harness, [{ role: "admin" }]));
    const parent = await issue(admin, { name: "automation", grants: [{ role: "admin" }] });
    const child = await issue(parent.token, { name: "automation-child", grants: [{ role: "admin" }] });
    expect(child.apiToken).toMatchObject({
      createdBy: admin.user.email,
      createdByTokenId: parent.apiToken.id,
    });
    expect(await restartWith(child.token)).toBe(200);

    await users().setGrants(admin.user.id, [{ role: "viewer" }], "admin", new Date());
    expect(await restartWith(child.token)).toBe(401);
  });

  it("lists a token refused because of its maker or its person as suspended, with the reason", async () => {
    const admin = await personWithRole(harness, "admin");
    const asAdmin = clientFor(harness, admin.credentials);
    const bot = await issue(admin, { name: "suspended-bot", grants: [{ role: "admin" }] });
    const child = await issue(bot.token, { name: "suspended-child", grants: [{ role: "viewer" }] });
    const listed = async () => {
      const response = await clientFor(harness, { kind: "bearer", token: harness.tokens.admin })(
        "GET",
        "/api/v1/tokens",
      );
      expect(response.status).toBe(200);
      const byId = new Map(
        response
          .json<{ tokens: Array<{ id: string; status: string; suspendedBecause: string | null }> }>()
          .tokens.map((token) => [token.id, token]),
      );
      return [byId.get(bot.apiToken.id), byId.get(child.apiToken.id)];
    };
    expect(await listed()).toEqual([
      expect.objectContaining({ status: "active", suspendedBecause: null }),
      expect.objectContaining({ status: "active", suspendedBecause: null }),
    ]);

    await users().setGrants(admin.user.id, [{ role: "viewer" }], "admin", new Date());
    const [demoted] = await listed();
    expect(demoted).toMatchObject({ status: "suspended" });
    expect(demoted?.suspendedBecause).toContain("grants more than");

    await users().setGrants(admin.user.id, [{ role: "admin" }], "admin", new Date());
    expect((await asAdmin("DELETE", `/api/v1/tokens/${bot.apiToken.id}`)).status).toBe(200);
    const [revoked, orphan] = await listed();
    expect(revoked).toMatchObject({ status: "revoked", suspendedBecause: null });
    expect(orphan).toMatchObject({ status: "suspended" });
    expect(orphan?.suspendedBecause).toContain("which is revoked");
  });
});
