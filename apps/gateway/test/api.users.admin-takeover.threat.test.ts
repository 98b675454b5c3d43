// Threat: someone who may manage users, but is no admin, locks, deletes or demotes the admins (or the last admin
// demotes themselves to a bare permission), leaving no unlocked admin; nobody can then grant admin back.
import type { Grant } from "@rack-gateway/rbac";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "./harness.js";
import { clientFor, createUser, type Person, signIn, startPeopleHarness } from "./people.js";

const MANAGER: Grant[] = [
  { permissions: ["gateway:user:read", "gateway:user:manage", "gateway:session:manage"] },
];

describe("a user manager who is not an admin", () => {
  let harness: Harness;
  let manager: Person;
  let admins: Person[];
  let asManager: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    manager = await signIn(harness, await createUser(harness, MANAGER));
    // Two admins, so the last-admin guard alone would let one of them go.
    admins = [
      await signIn(harness, await createUser(harness, [{ role: "admin" }])),
      await signIn(harness, await createUser(harness, [{ role: "admin" }])),
    ];
    asManager = clientFor(harness, manager.credentials);
  });
  afterAll(() => harness.close());

  const stored = async (person: Person) => harness.gateway.deps.stores.users.findById(person.user.id);

  it("cannot lock, demote, delete or end the sessions of an admin: 403, nothing changes", async () => {
    const [first] = admins;
    if (!first) throw new Error("no admin");
    const id = first.user.id;
    for (const [method, path, body] of [
      ["POST", `/api/v1/users/${id}/lock`, { reason: "takeover" }],
      ["PUT", `/api/v1/users/${id}/roles`, { grants: [] }],
      ["PUT", `/api/v1/users/${id}/roles`, { grants: [{ permissions: ["gateway:user:read"] }] }],
      ["DELETE", `/api/v1/users/${id}`, undefined],
      ["DELETE", `/api/v1/users/${id}/sessions`, undefined],
      ["DELETE", `/api/v1/users/${id}/sessions/${first.session.id}`, undefined],
    ] as const) {
      const result = await asManager(method, path, body === undefined ? {} : { body });
      expect(result.status, `${method} ${path}: ${result.text}`).toBe(403);
      expect(result.json()).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await stored(first)).toMatchObject({ lockedAt: null, grants: [{ role: "admin" }] });
    const me = await clientFor(harness, first.credentials)("GET", "/api/v1/me");
    expect(me.status).toBe(200);
  });

  it("cannot unlock an admin another admin locked", async () => {
    const [first, second] = admins;
    if (!first || !second) throw new Error("no admins");
    const lock = await clientFor(harness, first.credentials)("POST", `/api/v1/users/${second.user.id}/lock`, {
      body: { reason: "laptop stolen" },
    });
    expect(lock.status, lock.text).toBe(200);
    const unlock = await asManager("POST", `/api/v1/users/${second.user.id}/unlock`);
    expect(unlock.status, unlock.text).toBe(403);
    expect(await stored(second)).toMatchObject({ lockedReason: "laptop stolen" });
    expect(
      (await clientFor(harness, first.credentials)("POST", `/api/v1/users/${second.user.id}/unlock`)).status,
    ).toBe(200);
  });

  it("still manages people who hold no more than they do", async () => {
    const peer = await signIn(harness, await createUser(harness, [{ permissions: ["gateway:user:read"] }]));
    const lock = await asManager("POST", `/api/v1/users/${peer.user.id}/lock`, { body: { reason: "left" } });
    expect(lock.status, lock.text).toBe(200);
    expect((await asManager("POST", `/api/v1/users/${peer.user.id}/unlock`)).status).toBe(200);
    expect((await asManager("DELETE", `/api/v1/users/${peer.user.id}`)).status).toBe(200);
  });
});

describe("the last admin", () => {
  let harness: Harness;
  let only: Person;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    only = await signIn(harness, await createUser(harness, [{ role: "admin" }]));
  });
  afterAll(() => harness.close());

  it("cannot demote themselves to a bare user-management permission", async () => {
    const demote = await clientFor(harness, only.credentials)("PUT", `/api/v1/users/${only.user.id}/roles`, {
      body: { grants: [{ permissions: ["gateway:user:manage"] }] },
    });
    expect(demote.status, demote.text).toBe(409);
    expect(demote.json()).toMatchObject({
      code: "CONFLICT",
      error: expect.stringContaining("last unlocked"),
    });
    expect(await harness.gateway.deps.stores.users.findById(only.user.id)).toMatchObject({
      grants: [{ role: "admin" }],
    });
  });

  it("is not made redundant by people who only hold user management", async () => {
    const users = harness.gateway.deps.stores.users;
    const admin = only.user;
    await createUser(harness, MANAGER);
    // The operator's admin token passes every check on the target; only the last-admin guard can stop it.
    const asOperator = clientFor(harness, { kind: "bearer", token: harness.tokens.admin });
    for (const [method, path, body] of [
      ["POST", `/api/v1/users/${admin.id}/lock`, { reason: "test" }],
      ["DELETE", `/api/v1/users/${admin.id}`, undefined],
      ["PUT", `/api/v1/users/${admin.id}/roles`, { grants: MANAGER }],
    ] as const) {
      const result = await asOperator(method, path, body === undefined ? {} : { body });
      expect(result.status, `${method} ${path}: ${result.text}`).toBe(409);
    }
    expect(await users.findById(admin.id)).toMatchObject({ lockedAt: null, grants: [{ role: "admin" }] });
  });

  it("lock-non-admins refuses a caller who is no admin: they would lock themselves out", async () => {
    const responder = await signIn(
      harness,
      await createUser(harness, [
        { permissions: ["gateway:incident:manage", "gateway:user:read", "gateway:user:manage"] },
      ]),
    );
    const asResponder = clientFor(harness, responder.credentials);
    const result = await asResponder("POST", "/api/v1/incident/lock-non-admins", {
      body: { reason: "drill" },
    });
    expect(result.status, result.text).toBe(409);
    expect(await harness.gateway.deps.stores.users.findById(responder.user.id)).toMatchObject({
      lockedAt: null,
    });
    expect((await asResponder("GET", "/api/v1/users")).status).toBe(200);
  });
});
