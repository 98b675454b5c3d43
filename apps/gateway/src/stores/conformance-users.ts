/** User store conformance cases (registered by `describeStoresConformance`). */
import type { Grant } from "@rack-gateway/rbac";
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import { DuplicateUserError } from "./errors.js";
import type { NewUser } from "./types.js";

const created = new Date("2026-03-01T10:00:00.000Z");
const later = new Date("2026-03-02T10:00:00.000Z");
const unknownId = "00000000-0000-4000-8000-000000000000";

/** A user as the env or an admin would create it; shared by the session and sign-in cases. */
export function newUser(email: string, overrides: Partial<NewUser> = {}): NewUser {
  return {
    email,
    name: email.split("@")[0] ?? email,
    grants: [{ role: "deployer", apps: ["web"] }],
    grantsSource: "admin",
    createdBy: "admin@example.com",
    createdAt: created,
    ...overrides,
  };
}

export function describeUserConformance(context: ConformanceContext): void {
  describe("users", () => {
    it("creates a user with an id, the email lowercased and every other field as given", async () => {
      const { users } = context().stores;
      const input = newUser("Alice.Smith@Example.COM", {
        grants: [{ role: "admin" }, { permissions: ["convox:app:list"], apps: ["web"] }],
        grantsSource: "env",
      });
      const record = await users.create(input);
      expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(record).toEqual({
        ...input,
        id: record.id,
        email: "alice.smith@example.com",
        updatedAt: created,
        lockedAt: null,
        lockedReason: null,
        lockedBy: null,
        lastSignInAt: null,
      });
    });

    it("finds a user by id and by email in any case; unknown ones and non-UUID ids are null", async () => {
      const { users } = context().stores;
      const record = await users.create(newUser("bob@example.com"));
      expect(await users.findById(record.id)).toEqual(record);
      expect(await users.findByEmail("BOB@Example.com")).toEqual(record);
      expect(await users.findByEmail("bob@example.com")).toEqual(record);
      expect(await users.findByEmail("bobby@example.com")).toBeNull();
      expect(await users.findById(unknownId)).toBeNull();
      expect(await users.findById("not-a-uuid")).toBeNull();
    });

    it("refuses a second user whose email differs only in case with DuplicateUserError", async () => {
      const { users } = context().stores;
      await users.create(newUser("carol@example.com"));
      const error = await users.create(newUser("Carol@EXAMPLE.com")).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DuplicateUserError);
      expect((error as DuplicateUserError).email).toBe("Carol@EXAMPLE.com");
      expect((error as DuplicateUserError).cause).toBeDefined();
      expect(await users.list()).toHaveLength(1);
    });

    it("lets exactly one of ten concurrent creates of one email win", async () => {
      const { users } = context().stores;
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, index) =>
          users.create(newUser(index % 2 === 0 ? "dave@example.com" : "DAVE@example.com")),
        ),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(DuplicateUserError);
      }
      expect(await users.list()).toHaveLength(1);
    });

    it("lists users ordered by email", async () => {
      const { users } = context().stores;
      for (const email of ["zoe@example.com", "Adam@example.com", "mia@example.com"]) {
        await users.create(newUser(email));
      }
      expect((await users.list()).map((user) => user.email)).toEqual([
        "adam@example.com",
        "mia@example.com",
        "zoe@example.com",
      ]);
    });

    it("replaces grants and name, stamping updatedAt; unknown and non-UUID ids are null", async () => {
      const { users } = context().stores;
      const record = await users.create(newUser("erin@example.com", { grantsSource: "env" }));
      const grants: Grant[] = [{ role: "ops", apps: ["web", "api"] }, { permissions: ["convox:app:read"] }];
      const regranted = await users.setGrants(record.id, grants, "admin", later);
      expect(regranted).toEqual({ ...record, grants, grantsSource: "admin", updatedAt: later });
      const renamed = await users.setName(record.id, "Erin Example", new Date("2026-03-03T10:00:00.000Z"));
      expect(renamed).toEqual({
        ...regranted,
        name: "Erin Example",
        updatedAt: new Date("2026-03-03T10:00:00.000Z"),
      });
      expect(await users.findById(record.id)).toEqual(renamed);
      expect(await users.setGrants(unknownId, grants, "admin", later)).toBeNull();
      expect(await users.setGrants("not-a-uuid", grants, "admin", later)).toBeNull();
      expect(await users.setName(unknownId, "x", later)).toBeNull();
      expect(await users.setName("not-a-uuid", "x", later)).toBeNull();
    });

    it("locks and unlocks; locking a locked user keeps the first lock", async () => {
      const { users } = context().stores;
      const record = await users.create(newUser("frank@example.com"));
      const locked = await users.lock(record.id, "left the company", "admin@example.com", later);
      expect(locked).toEqual({
        ...record,
        lockedAt: later,
        lockedReason: "left the company",
        lockedBy: "admin@example.com",
        updatedAt: later,
      });
      const relocked = await users.lock(
        record.id,
        "again",
        "other@example.com",
        new Date("2026-03-05T00:00:00Z"),
      );
      expect(relocked).toEqual(locked);
      const unlockedAt = new Date("2026-03-06T00:00:00.000Z");
      expect(await users.unlock(record.id, unlockedAt)).toEqual({ ...record, updatedAt: unlockedAt });
      expect(await users.unlock(record.id, new Date("2026-03-07T00:00:00.000Z"))).toEqual({
        ...record,
        updatedAt: unlockedAt,
      });
      expect(await users.lock(unknownId, "r", "admin@example.com", later)).toBeNull();
      expect(await users.lock("not-a-uuid", "r", "admin@example.com", later)).toBeNull();
      expect(await users.unlock(unknownId, later)).toBeNull();
      expect(await users.unlock("not-a-uuid", later)).toBeNull();
    });

    it("locks every user without an unscoped admin grant, app-scoped admins included", async () => {
      const { users } = context().stores;
      const admin = await users.create(newUser("admin@example.com", { grants: [{ role: "admin" }] }));
      const appAdmin = await users.create(
        newUser("app-admin@example.com", { grants: [{ role: "viewer" }, { role: "admin", apps: ["web"] }] }),
      );
      const deployer = await users.create(newUser("deployer@example.com"));
      const explicit = await users.create(
        newUser("explicit@example.com", { grants: [{ permissions: ["convox:app:list"] }] }),
      );
      const none = await users.create(newUser("none@example.com", { grants: [] }));
      const alreadyLocked = await users.create(
        newUser("locked@example.com", { grants: [{ role: "viewer" }] }),
      );
      await users.lock(alreadyLocked.id, "earlier", "admin@example.com", created);

      const lockedIds = await users.lockAllNonAdmins("incident 42", "admin@example.com", later);
      expect(lockedIds.sort()).toEqual([appAdmin.id, deployer.id, explicit.id, none.id].sort());
      for (const id of lockedIds) {
        expect(await users.findById(id)).toMatchObject({
          lockedAt: later,
          lockedReason: "incident 42",
          lockedBy: "admin@example.com",
          updatedAt: later,
        });
      }
      expect(await users.findById(admin.id)).toEqual(admin);
      expect((await users.findById(alreadyLocked.id))?.lockedReason).toBe("earlier");
      expect(await users.lockAllNonAdmins("again", "admin@example.com", later)).toEqual([]);
    });

    it("records sign-ins without moving the time back or touching updatedAt", async () => {
      const { users } = context().stores;
      const record = await users.create(newUser("gina@example.com"));
      await users.recordSignIn(record.id, new Date("2026-03-04T00:00:00.000Z"));
      await users.recordSignIn(record.id, new Date("2026-03-03T00:00:00.000Z"));
      expect(await users.findById(record.id)).toEqual({
        ...record,
        lastSignInAt: new Date("2026-03-04T00:00:00.000Z"),
      });
      await users.recordSignIn(unknownId, later);
      await users.recordSignIn("not-a-uuid", later);
    });

    it("deletes a user once; unknown and non-UUID ids return false", async () => {
      const { users } = context().stores;
      const record = await users.create(newUser("hank@example.com"));
      expect(await users.delete(record.id)).toBe(true);
      expect(await users.delete(record.id)).toBe(false);
      expect(await users.findById(record.id)).toBeNull();
      expect(await users.delete("not-a-uuid")).toBe(false);
      // The email is free again.
      expect((await users.create(newUser("HANK@example.com"))).email).toBe("hank@example.com");
    });
  });
}
