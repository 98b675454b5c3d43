import { describe, expect, it } from "vitest";
import { openDatabase } from "./open.js";

describe("openDatabase", () => {
  it("opens an in-memory PGlite with migrated, working stores", async () => {
    const database = await openDatabase({ inMemory: true });
    try {
      expect(database.driver).toBe("pglite");
      await database.stores.ping();
      expect(await database.stores.audit.count()).toBe(0);
    } finally {
      await database.close();
    }
  });

  it("gives each in-memory database its own data", async () => {
    const [first, second] = await Promise.all([
      openDatabase({ inMemory: true }),
      openDatabase({ inMemory: true }),
    ]);
    try {
      await first.stores.settings.set("k", 1, "alice@example.com", new Date("2026-03-01T00:00:00Z"));
      expect(await second.stores.settings.get("k")).toBeNull();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it.each([
    ["nothing", {}],
    ["two choices", { inMemory: true, dataDir: "/tmp/x" }],
    ["inMemory: false alone", { inMemory: false }],
  ])("throws a TypeError naming the choices when given %s", async (_label, options) => {
    await expect(openDatabase(options)).rejects.toThrow(/exactly one of databaseUrl .* dataDir .* inMemory/);
  });

  it("throws a RangeError for a pool size that is not a positive whole number", async () => {
    await expect(openDatabase({ inMemory: true, maxConnections: 0 })).rejects.toThrow(RangeError);
  });
});
