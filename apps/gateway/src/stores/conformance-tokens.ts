/** Token store conformance cases (registered by `describeStoresConformance`). */
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import type { NewApiToken } from "./types.js";

const created = new Date("2026-03-01T10:00:00.000Z");

function newToken(name: string, overrides: Partial<NewApiToken> = {}): NewApiToken {
  return {
    name,
    tokenHash: `${name.padEnd(8, "0")}`.repeat(8).slice(0, 64),
    displayPrefix: `rgw_${name.slice(0, 4)}`,
    grants: [{ role: "deployer", apps: ["web", "api"] }, { permissions: ["convox:app:list"] }],
    createdBy: "alice@example.com",
    createdAt: created,
    expiresAt: null,
    ...overrides,
  };
}

export function describeTokenConformance(context: ConformanceContext): void {
  describe("tokens", () => {
    it("creates a token with an id and returns every field as given", async () => {
      const { tokens } = context().stores;
      const input = newToken("ci-deploy", { expiresAt: new Date("2026-06-01T00:00:00.000Z") });
      const record = await tokens.create(input);
      expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(record).toEqual({
        ...input,
        id: record.id,
        createdByUserId: null,
        createdByTokenId: null,
        revokedAt: null,
        lastUsedAt: null,
        lastUsedIp: null,
      });
    });

    it("keeps the person and the token a token was made by, even once neither exists any more", async () => {
      const { tokens } = context().stores;
      const parent = await tokens.create(newToken("parent"));
      // No such user: a deleted creator's id must stay, so the token stays bounded by someone who is gone.
      const goneUserId = "00000000-0000-4000-8000-00000000dead";
      const child = await tokens.create(
        newToken("child", { createdByUserId: goneUserId, createdByTokenId: parent.id }),
      );
      expect(child).toMatchObject({ createdByUserId: goneUserId, createdByTokenId: parent.id });
      expect(await tokens.findByHash(child.tokenHash)).toEqual(child);
      expect(await tokens.findById(child.id)).toEqual(child);
    });

    it("finds a token by hash and by id, and returns null for unknown ones", async () => {
      const { tokens } = context().stores;
      const record = await tokens.create(newToken("lookup"));
      expect(await tokens.findByHash(record.tokenHash)).toEqual(record);
      expect(await tokens.findById(record.id)).toEqual(record);
      expect(await tokens.findByHash("f".repeat(64))).toBeNull();
      expect(await tokens.findById("00000000-0000-4000-8000-000000000000")).toBeNull();
      expect(await tokens.findById("not-a-uuid")).toBeNull();
    });

    it("refuses a second token with the same hash", async () => {
      const { tokens } = context().stores;
      await tokens.create(newToken("twin"));
      await expect(tokens.create(newToken("twin", { name: "other" }))).rejects.toThrow();
      expect(await tokens.list()).toHaveLength(1);
    });

    it("lists every token newest first, revoked and expired ones included", async () => {
      const { tokens } = context().stores;
      const oldest = await tokens.create(newToken("oldest", { createdAt: new Date("2026-01-01T00:00:00Z") }));
      const newest = await tokens.create(newToken("newest", { createdAt: new Date("2026-03-01T00:00:00Z") }));
      const middle = await tokens.create(
        newToken("middle", {
          createdAt: new Date("2026-02-01T00:00:00Z"),
          expiresAt: new Date("2026-02-02T00:00:00Z"),
        }),
      );
      await tokens.revoke(oldest.id, new Date("2026-03-02T00:00:00Z"));
      const listed = await tokens.list();
      expect(listed.map((token) => token.id)).toEqual([newest.id, middle.id, oldest.id]);
      expect(listed[2]?.revokedAt).toEqual(new Date("2026-03-02T00:00:00Z"));
    });

    it("revokes once: a second revoke, or an unknown id, returns false", async () => {
      const { tokens } = context().stores;
      const record = await tokens.create(newToken("revoke-me"));
      const at = new Date("2026-03-05T12:00:00.000Z");
      expect(await tokens.revoke(record.id, at)).toBe(true);
      expect(await tokens.revoke(record.id, new Date("2026-03-06T00:00:00.000Z"))).toBe(false);
      expect((await tokens.findById(record.id))?.revokedAt).toEqual(at);
      expect(await tokens.revoke("00000000-0000-4000-8000-000000000000", at)).toBe(false);
      expect(await tokens.revoke("not-a-uuid", at)).toBe(false);
    });

    it("records the last use and never moves it back in time", async () => {
      const { tokens } = context().stores;
      const record = await tokens.create(newToken("used"));
      const later = new Date("2026-03-03T00:00:00.000Z");
      await tokens.recordUse(record.id, later, "203.0.113.9");
      await tokens.recordUse(record.id, new Date("2026-03-02T00:00:00.000Z"), "198.51.100.1");
      const found = await tokens.findById(record.id);
      expect(found?.lastUsedAt).toEqual(later);
      expect(found?.lastUsedIp).toBe("203.0.113.9");
      await tokens.recordUse(record.id, new Date("2026-03-04T00:00:00.000Z"), null);
      expect((await tokens.findById(record.id))?.lastUsedIp).toBeNull();
    });

    it("keeps expired tokens: expiry is the caller's check, not deletion", async () => {
      const { tokens } = context().stores;
      const expired = await tokens.create(
        newToken("expired", { expiresAt: new Date("2026-03-01T11:00:00Z") }),
      );
      expect(await tokens.findByHash(expired.tokenHash)).toEqual(expired);
      expect(expired.expiresAt).toEqual(new Date("2026-03-01T11:00:00Z"));
    });
  });
}
