import type { AuditEvent } from "@rack-gateway/audit-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiToken } from "../src/auth/api-token.js";
import { seedUsers } from "../src/people/seed-users.js";
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
  tokenOf,
  uniqueEmail,
} from "./people.js";

type UserJson = { id: string; email: string; grants: unknown[]; grantsSource: string; locked: boolean };

/** Committed events straight from the store, without waiting for queued writes: what was durable at answer time. */
async function durableEventsOf(harness: Harness, requestId: string | null): Promise<AuditEvent[]> {
  const records = await harness.gateway.deps.stores.audit.list({ limit: 100_000 });
  return records.filter((record) => record.event.requestId === requestId).map((record) => record.event);
}

describe("people administration", () => {
  let harness: Harness;
  let admin: Person;
  let asAdmin: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    admin = await personWithRole(harness, "admin");
    asAdmin = clientFor(harness, admin.credentials);
  });
  afterAll(() => harness.close());

  it("adds a user with a lowercased email and audits it durably, attributed to the admin", async () => {
    const email = uniqueEmail("New.Person").toUpperCase();
    const created = await asAdmin("POST", "/api/v1/users", {
      body: { email, name: "New Person", grants: [{ role: "deployer", apps: ["myapp"] }] },
    });
    expect(created.status, created.text).toBe(201);
    const { user } = created.json<{ user: UserJson }>();
    expect(user).toMatchObject({
      email: email.toLowerCase(),
      grants: [{ role: "deployer", apps: ["myapp"] }],
      grantsSource: "admin",
      locked: false,
    });
    const [event] = await durableEventsOf(harness, created.headers.get("x-request-id"));
    expect(event).toMatchObject({
      action: "user.create",
      decision: "allow",
      actor: { type: "user", email: admin.user.email },
      detail: {
        userId: user.id,
        email: email.toLowerCase(),
        grants: [{ role: "deployer", apps: ["myapp"] }],
      },
    });

    const byId = await asAdmin("GET", `/api/v1/users/${user.id}`);
    expect(byId.json()).toMatchObject({ user: { id: user.id } });
    const byEmail = await asAdmin("GET", `/api/v1/users/${encodeURIComponent(email)}`);
    expect(byEmail.json()).toMatchObject({ user: { id: user.id } });
    const list = await asAdmin("GET", "/api/v1/users");
    expect(list.json<{ users: UserJson[] }>().users.map((listed) => listed.id)).toContain(user.id);
  });

  it("refuses a second user with the same email in any case: 409 CONFLICT", async () => {
    const email = uniqueEmail("twice");
    expect(
      (await asAdmin("POST", "/api/v1/users", { body: { email, grants: [{ role: "viewer" }] } })).status,
    ).toBe(201);
    const again = await asAdmin("POST", "/api/v1/users", {
      body: { email: email.toUpperCase(), grants: [{ role: "ops" }] },
    });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: "CONFLICT", error: expect.stringContaining(email) });
  });

  it.each([
    ["no email", { grants: [{ role: "viewer" }] }, "email"],
    ["not an email", { email: "nobody", grants: [{ role: "viewer" }] }, "email"],
    ["no grants", { email: "a@example.com" }, "grants"],
    [
      "the cicd role for a person",
      { email: "a@example.com", grants: [{ role: "cicd" }] },
      "cicd role is for API tokens",
    ],
    ["an unknown role", { email: "a@example.com", grants: [{ role: "root" }] }, "unknown role"],
    ["an unknown field", { email: "a@example.com", grants: [], admin: true }, "admin"],
  ])("answers 400 BAD_REQUEST for %s", async (_, body, mentions) => {
    const result = await asAdmin("POST", "/api/v1/users", { body });
    expect(result.status, result.text).toBe(400);
    expect(result.json()).toMatchObject({ code: "BAD_REQUEST", error: expect.stringContaining(mentions) });
  });

  it("answers 404 for unknown users, by id, by email and for a malformed id", async () => {
    for (const reference of ["6b1f6c2e-0000-4000-8000-000000000000", "ghost%40example.com", "not-an-id"]) {
      for (const [method, path, body] of [
        ["GET", `/api/v1/users/${reference}`, undefined],
        ["PUT", `/api/v1/users/${reference}/roles`, { grants: [{ role: "viewer" }] }],
        ["POST", `/api/v1/users/${reference}/lock`, { reason: "x" }],
        ["POST", `/api/v1/users/${reference}/unlock`, undefined],
        ["DELETE", `/api/v1/users/${reference}`, undefined],
        ["GET", `/api/v1/users/${reference}/sessions`, undefined],
        ["DELETE", `/api/v1/users/${reference}/sessions`, undefined],
      ] as const) {
        const result = await asAdmin(method, path, body === undefined ? {} : { body });
        expect(result.status, `${method} ${path}: ${result.text}`).toBe(404);
        expect(result.json()).toMatchObject({ code: "NOT_FOUND" });
      }
    }
  });

  it("changes roles with effect on the very next request, without revoking sessions", async () => {
    const person = await personWithRole(harness, "viewer");
    const cli = await signIn(harness, person.user, "cli");
    const asPerson = clientFor(harness, person.credentials);
    expect((await asPerson("GET", "/api/v1/users")).status).toBe(403);
    expect((await harness.rackRequest(tokenOf(cli), "POST", "/apps/myapp/services/web/restart")).status).toBe(
      403,
    );

    const changed = await asAdmin("PUT", `/api/v1/users/${person.user.id}/roles`, {
      body: { grants: [{ role: "admin" }] },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json()).toMatchObject({ user: { grants: [{ role: "admin" }], grantsSource: "admin" } });
    // Same web session, same CLI session: the grants are read from the user on every request.
    expect((await asPerson("GET", "/api/v1/users")).status).toBe(200);
    expect((await harness.rackRequest(tokenOf(cli), "POST", "/apps/myapp/services/web/restart")).status).toBe(
      200,
    );

    const [event] = await durableEventsOf(harness, changed.headers.get("x-request-id"));
    expect(event).toMatchObject({
      action: "user.roles.change",
      actor: { email: admin.user.email },
      detail: { userId: person.user.id, before: [{ role: "viewer" }], after: [{ role: "admin" }] },
    });
  });

  it("refuses grants a user may not hold, and grants beyond what the changing admin holds", async () => {
    const target = await createUser(harness, [{ role: "viewer" }]);
    const cicd = await asAdmin("PUT", `/api/v1/users/${target.id}/roles`, {
      body: { grants: [{ role: "cicd" }] },
    });
    expect(cicd.status).toBe(400);
    expect(cicd.json()).toMatchObject({ code: "BAD_REQUEST", error: expect.stringContaining("cicd") });

    // A user manager who is otherwise a deployer cannot make anyone an admin.
    const manager = await signIn(
      harness,
      await createUser(harness, [{ role: "deployer" }, { permissions: ["gateway:user:manage"] }]),
    );
    const asManager = clientFor(harness, manager.credentials);
    const widen = await asManager("PUT", `/api/v1/users/${target.id}/roles`, {
      body: { grants: [{ role: "admin" }] },
    });
    expect(widen.status).toBe(403);
    expect(widen.json()).toMatchObject({ code: "FORBIDDEN" });
    const within = await asManager("PUT", `/api/v1/users/${target.id}/roles`, {
      body: { grants: [{ role: "ops" }] },
    });
    expect(within.status, within.text).toBe(200);
  });

  it("locks a user: every session revoked at once, web and CLI answer 401, the reason audited", async () => {
    const person = await personWithRole(harness, "deployer");
    const cli = await signIn(harness, person.user, "cli");
    const asPerson = clientFor(harness, person.credentials);
    expect((await asPerson("GET", "/api/v1/me")).status).toBe(200);
    expect((await harness.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(200);

    const missingReason = await asAdmin("POST", `/api/v1/users/${person.user.id}/lock`, { body: {} });
    expect(missingReason.status).toBe(400);

    const locked = await asAdmin("POST", `/api/v1/users/${person.user.id}/lock`, {
      body: { reason: "laptop stolen" },
    });
    expect(locked.status, locked.text).toBe(200);
    expect(locked.json()).toMatchObject({
      sessionsRevoked: 2,
      user: { locked: true, lockedReason: "laptop stolen" },
    });

    expect((await asPerson("GET", "/api/v1/me")).status).toBe(401);
    expect((await harness.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(401);
    const sessions = await harness.gateway.deps.stores.sessions.listForUser(person.user.id);
    expect(sessions.map((session) => session.revokedAt !== null)).toEqual([true, true]);

    const [event] = await durableEventsOf(harness, locked.headers.get("x-request-id"));
    expect(event).toMatchObject({
      action: "user.lock",
      actor: { email: admin.user.email },
      detail: {
        userId: person.user.id,
        email: person.user.email,
        lockReason: "laptop stolen",
        sessionsRevoked: 2,
      },
    });

    // Unlocking lets them sign in again; the revoked sessions stay revoked.
    const unlocked = await asAdmin("POST", `/api/v1/users/${person.user.id}/unlock`);
    expect(unlocked.json()).toMatchObject({ changed: true, user: { locked: false } });
    expect((await asPerson("GET", "/api/v1/me")).status).toBe(401);
    const fresh = await signIn(harness, person.user, "web");
    expect((await clientFor(harness, fresh.credentials)("GET", "/api/v1/me")).status).toBe(200);
    const [unlockEvent] = await durableEventsOf(harness, unlocked.headers.get("x-request-id"));
    expect(unlockEvent).toMatchObject({ action: "user.unlock", actor: { email: admin.user.email } });

    const again = await asAdmin("POST", `/api/v1/users/${person.user.id}/unlock`);
    expect(again.json()).toMatchObject({ changed: false });
    expect(await auditEventsOf(harness, again)).toEqual([]);
  });

  it("deletes a user and every session with them", async () => {
    const person = await personWithRole(harness, "ops");
    const cli = await signIn(harness, person.user, "cli");
    const deleted = await asAdmin("DELETE", `/api/v1/users/${person.user.id}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.json()).toEqual({ deleted: true, sessionsEnded: 2 });
    expect((await harness.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(401);
    expect((await clientFor(harness, person.credentials)("GET", "/api/v1/me")).status).toBe(401);
    expect((await asAdmin("GET", `/api/v1/users/${person.user.id}`)).status).toBe(404);
    expect(await harness.gateway.deps.stores.sessions.findById(cli.session.id)).toBeNull();
    const [event] = await durableEventsOf(harness, deleted.headers.get("x-request-id"));
    expect(event).toMatchObject({
      action: "user.delete",
      actor: { email: admin.user.email },
      detail: {
        userId: person.user.id,
        email: person.user.email,
        grants: [{ role: "ops" }],
        sessionsEnded: 2,
      },
    });
  });

  it("lists a user's sessions without any token or hash, and revokes one or all of them", async () => {
    const person = await personWithRole(harness, "viewer");
    const cli = await signIn(harness, person.user, "cli");
    const listed = await asAdmin("GET", `/api/v1/users/${person.user.id}/sessions`);
    const { sessions } = listed.json<{ sessions: { id: string; channel: string; current: boolean }[] }>();
    expect(sessions.map((session) => session.id).sort()).toEqual([person.session.id, cli.session.id].sort());
    const secrets = [person, cli].flatMap((holder) => [tokenOf(holder), hashApiToken(tokenOf(holder))]);
    expectNoSecrets(listed.text, secrets);

    // A session is named under its own user only.
    const stranger = await createUser(harness, [{ role: "viewer" }]);
    const wrongUser = await asAdmin("DELETE", `/api/v1/users/${stranger.id}/sessions/${cli.session.id}`);
    expect(wrongUser.status).toBe(404);

    const one = await asAdmin("DELETE", `/api/v1/users/${person.user.id}/sessions/${cli.session.id}`);
    expect(one.json()).toEqual({ revoked: true });
    expect((await harness.rackRequest(tokenOf(cli), "GET", "/apps")).status).toBe(401);
    expect((await clientFor(harness, person.credentials)("GET", "/api/v1/me")).status).toBe(200);
    const [revokeEvent] = await durableEventsOf(harness, one.headers.get("x-request-id"));
    expect(revokeEvent).toMatchObject({
      action: "session.revoke",
      actor: { email: admin.user.email },
      detail: { sessionId: cli.session.id, userId: person.user.id, channel: "cli" },
    });
    const twice = await asAdmin("DELETE", `/api/v1/users/${person.user.id}/sessions/${cli.session.id}`);
    expect(twice.json()).toEqual({ revoked: false });

    const all = await asAdmin("DELETE", `/api/v1/users/${person.user.id}/sessions`);
    expect(all.json()).toEqual({ sessionsRevoked: 1 });
    expect((await clientFor(harness, person.credentials)("GET", "/api/v1/me")).status).toBe(401);
    const [allEvent] = await durableEventsOf(harness, all.headers.get("x-request-id"));
    expect(allEvent).toMatchObject({
      action: "session.revoke-all",
      actor: { email: admin.user.email },
      detail: { userId: person.user.id, sessionsRevoked: 1 },
    });
  });

  it("refuses to let an admin lock, delete or demote themselves, and changes nothing", async () => {
    const self = admin.user.id;
    for (const [method, path, body] of [
      ["POST", `/api/v1/users/${self}/lock`, { reason: "oops" }],
      ["DELETE", `/api/v1/users/${self}`, undefined],
      ["PUT", `/api/v1/users/${self}/roles`, { grants: [{ role: "viewer" }] }],
    ] as const) {
      const result = await asAdmin(method, path, body === undefined ? {} : { body });
      expect(result.status, `${method} ${path}`).toBe(409);
      expect(result.json()).toMatchObject({
        code: "CONFLICT",
        error: expect.stringMatching(/yourself|your own/),
      });
      // Only the refusal is audited, never a change.
      expect(await auditEventsOf(harness, result)).toEqual([
        expect.objectContaining({ action: "gateway.request", decision: "deny", status: 409 }),
      ]);
    }
    expect((await asAdmin("GET", "/api/v1/me")).json()).toMatchObject({ grants: [{ role: "admin" }] });
    // Narrowing one's own grants while keeping user management is fine.
    const keep = await asAdmin("PUT", `/api/v1/users/${self}/roles`, {
      body: { grants: [{ role: "admin" }] },
    });
    expect(keep.status).toBe(200);
  });
});

describe("the last admin, and roles seeded from the environment", () => {
  let harness: Harness;
  const asToken = () => clientFor(harness, { kind: "bearer", token: harness.tokens.admin });

  beforeAll(async () => {
    harness = await startPeopleHarness({
      ADMIN_USERS: "a@x.com",
      DEPLOYER_USERS: "d@x.com",
      VIEWER_USERS: "v@x.com",
    });
  });
  afterAll(() => harness.close());

  const userNamed = async (email: string) => {
    const user = await harness.gateway.deps.stores.users.findByEmail(email);
    if (!user) throw new Error(`no ${email}`);
    return user;
  };

  it("refuses any change that would leave no unlocked admin, whoever asks", async () => {
    const a = await userNamed("a@x.com");
    for (const [method, path, body] of [
      ["POST", `/api/v1/users/${a.id}/lock`, { reason: "test" }],
      ["DELETE", `/api/v1/users/${a.id}`, undefined],
      ["PUT", `/api/v1/users/${a.id}/roles`, { grants: [{ role: "deployer" }] }],
      ["PUT", `/api/v1/users/${a.id}/roles`, { grants: [{ role: "admin", apps: ["myapp"] }] }],
    ] as const) {
      const result = await asToken()(method, path, body === undefined ? {} : { body });
      expect(result.status, `${method} ${path}: ${result.text}`).toBe(409);
      expect(result.json()).toMatchObject({
        code: "CONFLICT",
        error: expect.stringContaining("last unlocked user"),
      });
    }
    expect(await userNamed("a@x.com")).toMatchObject({ lockedAt: null, grants: [{ role: "admin" }] });

    // With a second admin, the first may be locked; then the second is the last one.
    const added = await asToken()("POST", "/api/v1/users", {
      body: { email: "b@x.com", grants: [{ role: "admin" }] },
    });
    expect(added.status).toBe(201);
    const b = await userNamed("b@x.com");
    expect(
      (await asToken()("POST", `/api/v1/users/${a.id}/lock`, { body: { reason: "rotation" } })).status,
    ).toBe(200);
    const lastOne = await asToken()("POST", `/api/v1/users/${b.id}/lock`, { body: { reason: "test" } });
    expect(lastOne.status).toBe(409);
    expect((await asToken()("POST", `/api/v1/users/${a.id}/unlock`)).status).toBe(200);
    expect((await asToken()("DELETE", `/api/v1/users/${b.id}`)).status).toBe(200);
  });

  it("never lets seeding overwrite roles an admin changed, while env-owned roles still follow the env", async () => {
    const a = await userNamed("a@x.com");
    const asA = clientFor(harness, (await signIn(harness, a)).credentials);
    const d = await userNamed("d@x.com");
    expect(d).toMatchObject({ grants: [{ role: "deployer" }], grantsSource: "env" });
    const changed = await asA("PUT", `/api/v1/users/${d.id}/roles`, { body: { grants: [{ role: "ops" }] } });
    expect(changed.status).toBe(200);
    const [event] = await auditEventsOf(harness, changed);
    expect(event).toMatchObject({ action: "user.roles.change", actor: { type: "user", email: "a@x.com" } });

    // The next start-up seeds from the same environment again, and from a changed one.
    const deps = harness.gateway.deps;
    const seedDeps = { users: deps.stores.users, audit: deps.audit, now: deps.now };
    await seedUsers(seedDeps, deps.people.seedUsers);
    await seedUsers(seedDeps, { admin: ["a@x.com"], deployer: ["d@x.com"], ops: ["v@x.com"], viewer: [] });
    expect(await userNamed("d@x.com")).toMatchObject({ grants: [{ role: "ops" }], grantsSource: "admin" });
    expect(await userNamed("v@x.com")).toMatchObject({ grants: [{ role: "ops" }], grantsSource: "env" });
  });
});
