/** Session store conformance cases (registered by `describeStoresConformance`). */
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import { newUser } from "./conformance-users.js";
import type { NewSession, Stores } from "./types.js";

const created = new Date("2026-03-01T10:00:00.000Z");
const expires = new Date("2026-03-01T22:00:00.000Z");
const unknownId = "00000000-0000-4000-8000-000000000000";

function minutesAfter(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * 60_000);
}

function newSession(userId: string, tag: string, overrides: Partial<NewSession> = {}): NewSession {
  return {
    userId,
    tokenHash: tag.padEnd(64, "0"),
    channel: "web",
    deviceName: `Firefox on Linux (${tag})`,
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0",
    createdAt: created,
    expiresAt: expires,
    ...overrides,
  };
}

async function createUser(stores: Stores, email: string): Promise<string> {
  return (await stores.users.create(newUser(email))).id;
}

export function describeSessionConformance(context: ConformanceContext): void {
  describe("sessions", () => {
    it("creates a session seen at its creation, and finds it by token hash and by id", async () => {
      const { stores } = context();
      const userId = await createUser(stores, "alice@example.com");
      const input = newSession(userId, "a1", { channel: "cli", ip: null, userAgent: null });
      const record = await stores.sessions.create(input);
      expect(record).toEqual({
        ...input,
        id: record.id,
        lastSeenAt: created,
        revokedAt: null,
        revokedReason: null,
      });
      expect(await stores.sessions.findByTokenHash(input.tokenHash)).toEqual(record);
      expect(await stores.sessions.findById(record.id)).toEqual(record);
      expect(await stores.sessions.findByTokenHash("f".repeat(64))).toBeNull();
      expect(await stores.sessions.findById(unknownId)).toBeNull();
      expect(await stores.sessions.findById("not-a-uuid")).toBeNull();
      await expect(stores.sessions.create(newSession(userId, "a1"))).rejects.toThrow();
    });

    it("lists a user's sessions newest first, or only the active ones as of now", async () => {
      const { stores } = context();
      const userId = await createUser(stores, "bob@example.com");
      const otherId = await createUser(stores, "carol@example.com");
      const now = minutesAfter(created, 120);
      const oldest = await stores.sessions.create(newSession(userId, "b1"));
      const revoked = await stores.sessions.create(
        newSession(userId, "b2", { createdAt: minutesAfter(created, 1) }),
      );
      const expiredNow = await stores.sessions.create(
        newSession(userId, "b3", { createdAt: minutesAfter(created, 2), expiresAt: now }),
      );
      const newest = await stores.sessions.create(
        newSession(userId, "b4", { createdAt: minutesAfter(created, 3) }),
      );
      await stores.sessions.create(newSession(otherId, "c1"));
      await stores.sessions.revoke(revoked.id, "signed out", minutesAfter(created, 5));

      const all = await stores.sessions.listForUser(userId);
      expect(all.map((session) => session.id)).toEqual([newest.id, expiredNow.id, revoked.id, oldest.id]);
      const active = await stores.sessions.listForUser(userId, { activeOnly: true, now });
      expect(active.map((session) => session.id)).toEqual([newest.id, oldest.id]);
      await expect(stores.sessions.listForUser(userId, { activeOnly: true })).rejects.toThrow(TypeError);
      expect(await stores.sessions.listForUser(unknownId)).toEqual([]);
      expect(await stores.sessions.listForUser("not-a-uuid")).toEqual([]);
    });

    it("lists every user's active sessions newest first", async () => {
      const { stores } = context();
      const first = await createUser(stores, "dave@example.com");
      const second = await createUser(stores, "erin@example.com");
      const now = minutesAfter(created, 60);
      const older = await stores.sessions.create(newSession(first, "d1"));
      const newer = await stores.sessions.create(
        newSession(second, "e1", { createdAt: minutesAfter(created, 1) }),
      );
      await stores.sessions.create(newSession(second, "e2", { expiresAt: now }));
      const revoked = await stores.sessions.create(newSession(first, "d2"));
      await stores.sessions.revoke(revoked.id, "signed out", now);
      expect((await stores.sessions.listActive(now)).map((session) => session.id)).toEqual([
        newer.id,
        older.id,
      ]);
    });

    it("touches a usable session forward only, never back", async () => {
      const { stores } = context();
      const session = await stores.sessions.create(
        newSession(await createUser(stores, "frank@example.com"), "f1"),
      );
      const cutoff = minutesAfter(created, -30);
      expect(await stores.sessions.touch(session.id, minutesAfter(created, 10), cutoff)).toBe(true);
      expect(await stores.sessions.touch(session.id, minutesAfter(created, 5), cutoff)).toBe(true);
      expect((await stores.sessions.findById(session.id))?.lastSeenAt).toEqual(minutesAfter(created, 10));
      expect(await stores.sessions.touch(unknownId, created, cutoff)).toBe(false);
      expect(await stores.sessions.touch("not-a-uuid", created, cutoff)).toBe(false);
    });

    it("refuses to touch a session idle past the cutoff; lastSeenAt == cutoff is still fresh", async () => {
      const { stores } = context();
      const session = await stores.sessions.create(
        newSession(await createUser(stores, "gina@example.com"), "g1"),
      );
      const at = minutesAfter(created, 30);
      expect(await stores.sessions.touch(session.id, at, minutesAfter(created, 1))).toBe(false);
      expect((await stores.sessions.findById(session.id))?.lastSeenAt).toEqual(created);
      expect(await stores.sessions.touch(session.id, at, created)).toBe(true);
      expect((await stores.sessions.findById(session.id))?.lastSeenAt).toEqual(at);
    });

    it("refuses to touch a revoked session or one expiring at that very moment", async () => {
      const { stores } = context();
      const userId = await createUser(stores, "hank@example.com");
      const expiring = await stores.sessions.create(newSession(userId, "h1"));
      expect(await stores.sessions.touch(expiring.id, expires, created)).toBe(false);
      expect(await stores.sessions.touch(expiring.id, new Date(expires.getTime() - 1), created)).toBe(true);
      const revoked = await stores.sessions.create(newSession(userId, "h2"));
      await stores.sessions.revoke(revoked.id, "signed out", minutesAfter(created, 1));
      expect(await stores.sessions.touch(revoked.id, minutesAfter(created, 2), created)).toBe(false);
      expect((await stores.sessions.findById(revoked.id))?.lastSeenAt).toEqual(created);
    });

    it("revokes once with a reason, even under ten concurrent revokes", async () => {
      const { stores } = context();
      const session = await stores.sessions.create(
        newSession(await createUser(stores, "ivy@example.com"), "i1"),
      );
      const at = minutesAfter(created, 5);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) => stores.sessions.revoke(session.id, `reason ${index}`, at)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await stores.sessions.findById(session.id)).toMatchObject({
        revokedAt: at,
        revokedReason: `reason ${winner}`,
      });
      expect(await stores.sessions.revoke(session.id, "again", at)).toBe(false);
      expect(await stores.sessions.revoke(unknownId, "r", at)).toBe(false);
      expect(await stores.sessions.revoke("not-a-uuid", "r", at)).toBe(false);
    });

    it("revokes all of one user's active sessions and counts them", async () => {
      const { stores } = context();
      const userId = await createUser(stores, "jack@example.com");
      const otherId = await createUser(stores, "kate@example.com");
      const at = minutesAfter(created, 60);
      for (const tag of ["j1", "j2", "j3"]) await stores.sessions.create(newSession(userId, tag));
      await stores.sessions.create(newSession(userId, "j4", { expiresAt: at }));
      const revoked = await stores.sessions.create(newSession(userId, "j5"));
      await stores.sessions.revoke(revoked.id, "signed out", created);
      const other = await stores.sessions.create(newSession(otherId, "k1"));

      expect(await stores.sessions.revokeAllForUser(userId, "user locked", at)).toBe(3);
      expect(await stores.sessions.revokeAllForUser(userId, "user locked", at)).toBe(0);
      expect((await stores.sessions.findById(revoked.id))?.revokedReason).toBe("signed out");
      expect((await stores.sessions.findById(other.id))?.revokedAt).toBeNull();
      expect(await stores.sessions.listForUser(userId, { activeOnly: true, now: at })).toEqual([]);
      expect(await stores.sessions.revokeAllForUser("not-a-uuid", "r", at)).toBe(0);
    });

    it("revokes every active session of every user and counts them", async () => {
      const { stores } = context();
      const first = await createUser(stores, "leo@example.com");
      const second = await createUser(stores, "mia@example.com");
      const at = minutesAfter(created, 60);
      await stores.sessions.create(newSession(first, "l1"));
      await stores.sessions.create(newSession(second, "m1", { channel: "cli" }));
      const expiredHash = (await stores.sessions.create(newSession(second, "m2", { expiresAt: at })))
        .tokenHash;
      expect(await stores.sessions.revokeAll("incident 42", at)).toBe(2);
      // Already expired when revokeAll ran: left as it was, not counted.
      const untouched = await stores.sessions.listActive(created);
      expect(untouched.map((session) => [session.tokenHash, session.revokedAt])).toEqual([
        [expiredHash, null],
      ]);
      expect(await stores.sessions.revokeAll("incident 42", at)).toBe(0);
    });

    it("deletes a user's sessions with the user", async () => {
      const { stores } = context();
      const userId = await createUser(stores, "ned@example.com");
      const keptUser = await createUser(stores, "olga@example.com");
      const gone = await stores.sessions.create(newSession(userId, "n1"));
      const kept = await stores.sessions.create(newSession(keptUser, "o1"));
      expect(await stores.users.delete(userId)).toBe(true);
      expect(await stores.sessions.findById(gone.id)).toBeNull();
      expect(await stores.sessions.findByTokenHash(gone.tokenHash)).toBeNull();
      expect(await stores.sessions.findById(kept.id)).toEqual(kept);
    });
  });
}
