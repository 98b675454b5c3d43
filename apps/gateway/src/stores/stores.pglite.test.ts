import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { describeAuditStoreConformance } from "@rack-gateway/audit-chain/testing";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ChangeFeed, createChangeFeed } from "../db/change-feed.js";
import type { GatewayDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { openDatabase, pgliteStatementRunner } from "../db/open.js";
import { describeStoresConformance } from "./conformance.js";
import { expectValidChain, makeEvent, readAll, seal } from "./conformance-audit-helpers.js";
import { createPostgresStores } from "./postgres-stores.js";
import type { Stores } from "./types.js";

// One PGlite for the conformance cases, emptied before each: opening one costs ~0.5-1.5 s, TRUNCATE ~ms.
// openDatabase's own in-memory path is covered by db/open.test.ts and the tests at the end of this file.
let shared: Promise<{ client: PGlite; db: GatewayDatabase; changes: ChangeFeed }> | undefined;
async function openEmptyStores(): Promise<Stores> {
  shared ??= (async () => {
    const client = await PGlite.create();
    const db = drizzle(client);
    await migrate(db);
    const changes = createChangeFeed(
      { listen: async () => async () => undefined, notify: async () => undefined },
      () => undefined,
    );
    return { client, db, changes };
  })();
  const { client, db, changes } = await shared;
  await client.exec(
    "TRUNCATE api_tokens, audit_records, audit_checkpoints, rate_limits, settings, " +
      "users, sessions, sign_in_attempts, cli_grants",
  );
  // Fresh stores, as a fresh process would have: an audit store that saw the chain before the TRUNCATE would
  // rightly refuse to append onto the emptied table.
  return createPostgresStores(db, async () => undefined, changes, pgliteStatementRunner(client));
}
afterAll(async () => {
  await (await shared)?.client.close();
});

describeStoresConformance("PGlite in memory", async () => ({
  stores: await openEmptyStores(),
  cleanup: async () => undefined,
}));

describeAuditStoreConformance("PGlite in memory", async () => ({
  store: (await openEmptyStores()).audit,
  cleanup: async () => undefined,
}));

describe("PGlite", () => {
  const directories: string[] = [];
  afterEach(async () => {
    await Promise.all(
      directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
    );
  });

  it("keeps every store's data in its data directory across close and reopen", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "rgw-stores-"));
    directories.push(dataDir);
    const at = new Date("2026-03-01T10:00:00.000Z");

    const first = await openDatabase({ dataDir });
    const token = await first.stores.tokens.create({
      name: "ci",
      tokenHash: "a".repeat(64),
      displayPrefix: "rgw_aaaa",
      grants: [{ role: "cicd", apps: ["web"] }],
      createdBy: "operator",
      createdAt: at,
      expiresAt: null,
    });
    const records = await first.stores.audit.append([makeEvent(1), makeEvent(2)], seal);
    await first.stores.audit.saveCheckpoint({
      treeSize: 2,
      rootHash: "c".repeat(64),
      chainHash: records[1]?.hash ?? "",
      time: "2026-03-01T10:00:01.000Z",
      signingKeyId: "ed25519-1",
      signature: "sig",
    });
    await first.stores.rateLimits.hit("login:alice", 60_000, at);
    await first.stores.settings.set("session_timeout_minutes", 30, "alice@example.com", at);
    const user = await first.stores.users.create({
      email: "alice@example.com",
      name: "Alice",
      grants: [{ role: "admin" }],
      grantsSource: "env",
      createdBy: "env",
      createdAt: at,
    });
    const session = await first.stores.sessions.create({
      userId: user.id,
      tokenHash: "d".repeat(64),
      channel: "web",
      deviceName: "Firefox on Linux",
      ip: null,
      userAgent: null,
      createdAt: at,
      expiresAt: new Date("2026-03-01T22:00:00.000Z"),
    });
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(await second.stores.tokens.findById(token.id)).toEqual(token);
      expect(await second.stores.audit.list({ limit: 10 })).toStrictEqual(records);
      expect((await second.stores.audit.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([
        2,
      ]);
      expect(await second.stores.rateLimits.peek("login:alice", 60_000, at)).toBe(1);
      expect((await second.stores.settings.get("session_timeout_minutes"))?.value).toBe(30);
      expect(await second.stores.users.findByEmail("alice@example.com")).toEqual(user);
      expect(await second.stores.sessions.findByTokenHash(session.tokenHash)).toEqual(session);
      await second.stores.audit.append([makeEvent(3)], seal);
      expectValidChain(await readAll(second.stores), 3);
    } finally {
      await second.close();
    }
  });

  it("queues transactions and plain queries on its single connection instead of deadlocking", async () => {
    const { stores, close } = await openDatabase({ inMemory: true });
    try {
      const now = new Date("2026-03-01T10:00:00.000Z");
      const work = Array.from({ length: 8 }, (_, writer) => [
        stores.audit.append([makeEvent(writer * 2), makeEvent(writer * 2 + 1)], seal),
        stores.audit.head(),
        stores.rateLimits.hit("mixed", 60_000, now),
        stores.settings.set(`key-${writer}`, writer, "alice@example.com", now),
        stores.ping(),
      ]).flat();
      await Promise.all(work);
      expectValidChain(await readAll(stores), 16);
      expect(await stores.rateLimits.peek("mixed", 60_000, now)).toBe(8);
    } finally {
      await close();
    }
  });

  it("closes idempotently", async () => {
    const database = await openDatabase({ inMemory: true });
    await database.close();
    await database.stores.close();
    await expect(database.stores.ping()).rejects.toThrow();
  });
});
