// Threat: a revoked token, ended session or locked user keeps working from a cache that never heard of the change.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../db/open.js";
import type { Stores } from "./types.js";

const at = new Date("2026-11-22T10:00:00.000Z");

async function seedCredentials(stores: Stores) {
  const token = await stores.tokens.create({
    name: "ci",
    tokenHash: randomBytes(32).toString("hex"),
    displayPrefix: "rgw_abcdef",
    grants: [{ role: "viewer" }],
    createdBy: "test",
    createdAt: at,
    expiresAt: null,
  });
  const user = await stores.users.create({
    email: `u${randomBytes(4).toString("hex")}@example.com`,
    name: "U",
    grants: [{ role: "ops" }],
    grantsSource: "admin",
    createdBy: "test",
    createdAt: at,
  });
  const session = await stores.sessions.create({
    userId: user.id,
    tokenHash: randomBytes(32).toString("hex"),
    channel: "cli",
    deviceName: "laptop",
    ip: null,
    userAgent: null,
    createdAt: at,
    expiresAt: new Date(at.getTime() + 3_600_000),
  });
  return { token, user, session };
}

describe("change feed", () => {
  it("publishes on every change to a credential or setting, and only then", async () => {
    const database = await openDatabase({ inMemory: true });
    try {
      const { stores } = database;
      await stores.changes.start();
      let heard = 0;
      stores.changes.subscribe(() => {
        heard += 1;
      });
      const { token, user, session } = await seedCredentials(stores);
      expect(heard).toBe(0);
      const changes: Array<[string, () => Promise<unknown>]> = [
        ["tokens.revoke", () => stores.tokens.revoke(token.id, at)],
        ["users.setGrants", () => stores.users.setGrants(user.id, [{ role: "viewer" }], "admin", at)],
        ["users.lock", () => stores.users.lock(user.id, "r", "a", at)],
        ["users.unlock", () => stores.users.unlock(user.id, at)],
        ["users.lockAllNonAdmins", () => stores.users.lockAllNonAdmins("r", "a", at)],
        ["sessions.revoke", () => stores.sessions.revoke(session.id, "r", at)],
        ["sessions.revokeAllForUser", () => stores.sessions.revokeAllForUser(user.id, "r", at)],
        ["sessions.revokeAll", () => stores.sessions.revokeAll("r", at)],
        ["settings.set", () => stores.settings.set("allow_rack_jwt", true, "a", at)],
        ["settings.delete", () => stores.settings.delete("allow_rack_jwt")],
        ["users.delete", () => stores.users.delete(user.id)],
      ];
      for (const [name, change] of changes) {
        const before = heard;
        await change();
        // Synchronously in this process: at least once before the call resolves (NOTIFY may echo it again).
        expect(heard, name).toBeGreaterThan(before);
      }
    } finally {
      await database.close();
    }
  });

  const url = process.env.RACK_GATEWAY_TEST_DATABASE_URL;
  if (url) {
    it("reaches another process on the same PostgreSQL", async () => {
      const schema = `cf_${randomBytes(6).toString("hex")}`;
      const admin = postgres(url, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`CREATE SCHEMA ${schema}`);
      const schemaUrl = new URL(url);
      schemaUrl.searchParams.set("search_path", schema);
      const first = await openDatabase({ databaseUrl: schemaUrl.toString(), maxConnections: 2 });
      const second = await openDatabase({ databaseUrl: schemaUrl.toString(), maxConnections: 2 });
      try {
        await second.stores.changes.start();
        const heard = new Promise<void>((resolve) => second.stores.changes.subscribe(resolve));
        const { token } = await seedCredentials(first.stores);
        await first.stores.tokens.revoke(token.id, at);
        await expect(
          Promise.race([heard.then(() => "heard"), new Promise((r) => setTimeout(() => r("silent"), 5000))]),
        ).resolves.toBe("heard");
      } finally {
        await first.close();
        await second.close();
        await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    });
  } else {
    it("delivers a NOTIFY to a LISTEN on embedded PGlite (the PostgreSQL variant runs with RACK_GATEWAY_TEST_DATABASE_URL)", async () => {
      const database = await openDatabase({ inMemory: true });
      try {
        await database.stores.changes.start();
        let heard = 0;
        database.stores.changes.subscribe(() => {
          heard += 1;
        });
        // publish runs local listeners once, and the NOTIFY echoes back through LISTEN a moment later.
        await database.stores.changes.publish();
        await expect.poll(() => heard, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      } finally {
        await database.close();
      }
    });
  }
});
