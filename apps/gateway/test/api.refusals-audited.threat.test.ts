// Threat: privilege-escalation attempts refused inside a handler (past the route guard) leave no audit record, so
// probing for admin goes unseen.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "./harness.js";
import {
  auditEventsOf,
  clientFor,
  createUser,
  type Person,
  personWithRole,
  signIn,
  startPeopleHarness,
  uniqueEmail,
} from "./people.js";

describe("refusals inside the gateway's own API handlers", () => {
  let harness: Harness;
  let deployer: Person;
  let asDeployer: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    deployer = await signIn(
      harness,
      await createUser(harness, [
        { role: "deployer" },
        { permissions: ["gateway:user:read", "gateway:user:manage", "gateway:token:manage"] },
      ]),
    );
    asDeployer = clientFor(harness, deployer.credentials);
  });
  afterAll(() => harness.close());

  const deniedOnce = (status: number, permission: string) => [
    expect.objectContaining({
      action: "gateway.request",
      decision: "deny",
      status,
      permission,
      actor: expect.objectContaining({ email: deployer.user.email }),
    }),
  ];

  it("audits asking to add an admin, or to make someone one: one deny record each", async () => {
    const add = await asDeployer("POST", "/api/v1/users", {
      body: { email: uniqueEmail("mine"), grants: [{ role: "admin" }] },
    });
    expect(add.status, add.text).toBe(403);
    expect(await auditEventsOf(harness, add)).toEqual(deniedOnce(403, "gateway:user:manage"));

    const promote = await asDeployer("PUT", `/api/v1/users/${deployer.user.id}/roles`, {
      body: { grants: [{ role: "admin" }] },
    });
    expect(promote.status, promote.text).toBe(403);
    const [event] = await auditEventsOf(harness, promote);
    expect(await auditEventsOf(harness, promote)).toEqual(deniedOnce(403, "gateway:user:manage"));
    expect(event?.reason).toContain("admin");
    expect(event?.path).toBe(`/api/v1/users/${deployer.user.id}/roles`);
  });

  it("audits asking for an admin API token", async () => {
    const viewer = await signIn(
      harness,
      await createUser(harness, [{ role: "viewer" }, { permissions: ["gateway:token:manage"] }]),
    );
    const mint = await clientFor(harness, viewer.credentials)("POST", "/api/v1/tokens", {
      body: { name: "escalate", grants: [{ role: "admin" }] },
    });
    expect(mint.status, mint.text).toBe(403);
    expect(await auditEventsOf(harness, mint)).toEqual([
      expect.objectContaining({
        decision: "deny",
        status: 403,
        permission: "gateway:token:manage",
        actor: expect.objectContaining({ email: viewer.user.email }),
      }),
    ]);
  });

  it("refuses (and audits) revoking a token that holds more than the caller, and revokes one within it", async () => {
    const viewer = await signIn(
      harness,
      await createUser(harness, [{ role: "viewer" }, { permissions: ["gateway:token:manage"] }]),
    );
    const asViewer = clientFor(harness, viewer.credentials);
    const tokenIdOf = async (token: string) =>
      (await harness.gateway.deps.stores.tokens.list()).find((record) =>
        token.startsWith(record.displayPrefix),
      )?.id ?? "";
    const adminsAutomation = await harness.createToken([{ role: "admin" }], { name: "admins-automation" });
    const revokeAdmin = await asViewer("DELETE", `/api/v1/tokens/${await tokenIdOf(adminsAutomation)}`);
    expect(revokeAdmin.status, revokeAdmin.text).toBe(403);
    expect(await auditEventsOf(harness, revokeAdmin)).toEqual([
      expect.objectContaining({ decision: "deny", status: 403, permission: "gateway:token:manage" }),
    ]);
    expect((await harness.rackRequest(adminsAutomation, "GET", "/apps?")).status).toBe(200);

    const reader = await harness.createToken([{ role: "viewer" }], { name: "reader" });
    const revokeReader = await asViewer("DELETE", `/api/v1/tokens/${await tokenIdOf(reader)}`);
    expect(revokeReader.status, revokeReader.text).toBe(200);
    expect((await harness.rackRequest(reader, "GET", "/apps?")).status).toBe(401);
  });

  it("audits conflicts (409) and a lock-non-admins that would lock the caller out", async () => {
    const email = uniqueEmail("twice");
    expect((await asDeployer("POST", "/api/v1/users", { body: { email, grants: [] } })).status).toBe(201);
    const again = await asDeployer("POST", "/api/v1/users", { body: { email, grants: [] } });
    expect(again.status).toBe(409);
    expect(await auditEventsOf(harness, again)).toEqual(deniedOnce(409, "gateway:user:manage"));

    const responder = await signIn(
      harness,
      await createUser(harness, [{ permissions: ["gateway:incident:manage"] }]),
    );
    const lockAll = await clientFor(harness, responder.credentials)(
      "POST",
      "/api/v1/incident/lock-non-admins",
      {
        body: { reason: "drill" },
      },
    );
    expect(lockAll.status, lockAll.text).toBe(409);
    expect(await auditEventsOf(harness, lockAll)).toEqual([
      expect.objectContaining({ decision: "deny", status: 409, permission: "gateway:incident:manage" }),
    ]);
  });

  it("redacts what the client wrote, as the route guard does", async () => {
    const pasted = "rgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA123456";
    const revoke = await asDeployer("DELETE", `/api/v1/tokens/${pasted}`);
    expect(revoke.status, revoke.text).toBe(404);
    const events = await auditEventsOf(harness, revoke);
    expect(events).toEqual([expect.objectContaining({ decision: "deny", status: 404 })]);
    expect(JSON.stringify(events)).not.toContain(pasted);
  });

  it("still audits a route-guard denial exactly once, and nothing for a call that succeeds", async () => {
    const viewer = await personWithRole(harness, "viewer");
    const refused = await clientFor(harness, viewer.credentials)("POST", "/api/v1/users", {
      body: { email: uniqueEmail("x"), grants: [] },
    });
    expect(refused.status).toBe(403);
    expect(await auditEventsOf(harness, refused)).toHaveLength(1);
    const read = await asDeployer("GET", "/api/v1/users");
    expect(read.status).toBe(200);
    expect(await auditEventsOf(harness, read)).toEqual([]);
  });
});
