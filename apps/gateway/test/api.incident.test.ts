import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Harness } from "./harness.js";
import {
  auditEventsOf,
  clientFor,
  createUser,
  type Person,
  personWithRole,
  signIn,
  startPeopleHarness,
  tokenOf,
} from "./people.js";

describe("incident switches", () => {
  let harness: Harness | undefined;
  afterAll(() => harness?.close());
  // Each switch changes everybody, so each test gets a gateway of its own.
  beforeEach(async () => {
    await harness?.close();
    harness = await startPeopleHarness();
  });
  const current = () => {
    if (!harness) throw new Error("no harness");
    return harness;
  };
  const meStatus = async (person: Person) =>
    (await clientFor(current(), person.credentials)("GET", "/api/v1/me")).status;

  it("revokes every session, the admin's own included, and leaves API tokens working", async () => {
    const h = current();
    const admin = await personWithRole(h, "admin");
    const adminCli = await signIn(h, admin.user, "cli");
    const others = [await personWithRole(h, "viewer"), await personWithRole(h, "deployer")];
    const otherCli = await signIn(h, others[0]?.user ?? admin.user, "cli");

    const answer = await clientFor(h, adminCli.credentials)("POST", "/api/v1/incident/revoke-all-sessions", {
      body: { reason: "suspected session theft" },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()).toEqual({ sessionsRevoked: 5 });

    for (const person of [admin, ...others]) expect(await meStatus(person)).toBe(401);
    for (const cli of [adminCli, otherCli])
      expect((await h.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(401);
    expect((await h.rackRequest(h.tokens.viewer, "GET", "/apps")).status).toBe(200);

    const [event] = await auditEventsOf(h, answer);
    expect(event).toMatchObject({
      action: "incident.revoke-all-sessions",
      decision: "allow",
      actor: { type: "user", email: admin.user.email },
      detail: { sessionsRevoked: 5, incidentReason: "suspected session theft" },
    });
  });

  it("locks every non-admin account and revokes their sessions; admins, even app-scoped ones, are told apart", async () => {
    const h = current();
    const admin = await personWithRole(h, "admin");
    const people = [
      await personWithRole(h, "viewer"),
      await personWithRole(h, "ops"),
      await personWithRole(h, "deployer"),
      // An admin of some apps only is no admin of the gateway: locked too.
      await signIn(h, await createUser(h, [{ role: "admin", apps: ["myapp"] }])),
    ];
    const cli = await signIn(h, people[2]?.user ?? admin.user, "cli");
    const asAdmin = clientFor(h, admin.credentials);

    const noReason = await asAdmin("POST", "/api/v1/incident/lock-non-admins", { body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.json()).toMatchObject({ code: "BAD_REQUEST", error: expect.stringContaining("reason") });

    const answer = await asAdmin("POST", "/api/v1/incident/lock-non-admins", {
      body: { reason: "breach drill" },
    });
    expect(answer.status, answer.text).toBe(200);
    const body = answer.json<{ usersLocked: number; sessionsRevoked: number; users: { email: string }[] }>();
    expect(body.usersLocked).toBe(4);
    expect(body.sessionsRevoked).toBe(5);
    expect(body.users.map((user) => user.email).sort()).toEqual(
      people.map((person) => person.user.email).sort(),
    );

    for (const person of people) expect(await meStatus(person)).toBe(401);
    expect((await h.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(401);
    expect(await meStatus(admin)).toBe(200);
    for (const person of people) {
      const stored = await h.gateway.deps.stores.users.findById(person.user.id);
      expect(stored).toMatchObject({ lockedReason: "breach drill", lockedBy: admin.user.email });
    }

    const [event] = await auditEventsOf(h, answer);
    expect(event).toMatchObject({
      action: "incident.lock-non-admins",
      actor: { email: admin.user.email },
      detail: { usersLocked: 4, sessionsRevoked: 5, lockReason: "breach drill" },
    });

    // Run again: nobody left to lock.
    const again = await asAdmin("POST", "/api/v1/incident/lock-non-admins", { body: { reason: "again" } });
    expect(again.json()).toMatchObject({ usersLocked: 0, sessionsRevoked: 0 });
  });

  it("is for admins only", async () => {
    const h = current();
    const deployer = await personWithRole(h, "deployer");
    for (const path of ["/api/v1/incident/revoke-all-sessions", "/api/v1/incident/lock-non-admins"]) {
      const refused = await clientFor(h, deployer.credentials)("POST", path, { body: { reason: "x" } });
      expect(refused.status).toBe(403);
    }
    expect(await meStatus(deployer)).toBe(200);
  });
});
