// Threat: someone with write access to the database deletes the newest audit records (and any checkpoint above them), and the running gateway seals new records onto the shortened head, making the cut seamless.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { drizzle } from "drizzle-orm/pglite";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createAuditLog } from "../audit/audit-log.js";
import { createChangeFeed } from "../db/change-feed.js";
import type { GatewayDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { openDatabase, pgliteStatementRunner } from "../db/open.js";
import { expectValidChain, makeEvent, readAll, seal } from "./conformance-audit-helpers.js";
import { AuditHeadMissingError } from "./errors.js";
import { createPostgresStores } from "./postgres-stores.js";
import type { Stores } from "./types.js";

/** A database the attacker can write to directly, and gateway processes on it. */
interface Fixture {
  /** A new gateway process (its own store, remembering nothing) on the same database. */
  openProcess(): Promise<Stores>;
  /** The attacker's SQL. */
  exec(statement: string): Promise<void>;
  close(): Promise<void>;
}

// One PGlite for every case, emptied before each: opening one costs seconds, TRUNCATE milliseconds.
let sharedPglite: Promise<{ client: PGlite; db: GatewayDatabase }> | undefined;

async function openPglite(): Promise<Fixture> {
  sharedPglite ??= (async () => {
    const client = await PGlite.create();
    const db = drizzle(client);
    await migrate(db);
    return { client, db };
  })();
  const { client, db } = await sharedPglite;
  await client.exec("TRUNCATE audit_records, audit_checkpoints");
  const changes = createChangeFeed(
    { listen: async () => async () => undefined, notify: async () => undefined },
    () => undefined,
  );
  return {
    openProcess: async () =>
      createPostgresStores(db, async () => undefined, changes, pgliteStatementRunner(client)),
    exec: async (statement) => {
      await client.exec(statement);
    },
    close: async () => undefined,
  };
}
afterAll(async () => {
  await (await sharedPglite)?.client.close();
});

async function openPostgres(baseUrl: string): Promise<Fixture> {
  const admin = postgres(baseUrl, { max: 1, onnotice: () => undefined });
  const schema = `t_${randomBytes(8).toString("hex")}`;
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set("search_path", schema);
  const opened: { close(): Promise<void> }[] = [];
  return {
    async openProcess() {
      const database = await openDatabase({ databaseUrl: url.toString(), maxConnections: 2 });
      opened.push(database);
      return database.stores;
    },
    exec: async (statement) => {
      await admin.unsafe(`SET search_path TO ${schema}; ${statement}`);
    },
    async close() {
      await Promise.all(opened.map((database) => database.close()));
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const databaseUrl = process.env.RACK_GATEWAY_TEST_DATABASE_URL;
const drivers: [string, () => Promise<Fixture>][] = [["PGlite", openPglite]];
if (databaseUrl) drivers.push(["PostgreSQL", () => openPostgres(databaseUrl)]);

describe.each(drivers)("%s: a running gateway never seals onto a cut tail", (_name, open) => {
  const fixtures: Fixture[] = [];
  const start = async () => {
    const fixture = await open();
    fixtures.push(fixture);
    return fixture;
  };
  afterAll(async () => {
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  });

  it("refuses to append after the newest records were deleted, and keeps refusing", async () => {
    const database = await start();
    const { audit } = await database.openProcess();
    await audit.append([makeEvent(1), makeEvent(2), makeEvent(3)], seal);
    await database.exec("DELETE FROM audit_records WHERE seq > 1; DELETE FROM audit_checkpoints");

    const refused = await audit.append([makeEvent(4)], seal).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AuditHeadMissingError);
    expect(refused).toMatchObject({ seen: { seq: 3 }, found: { seq: 1 } });
    expect((refused as Error).message).toMatch(/audit verify --expect-head 3:[0-9a-f]{64}/);
    await expect(audit.append([makeEvent(5)], seal)).rejects.toBeInstanceOf(AuditHeadMissingError);
    expect(await audit.count()).toBe(1);
  });

  it("refuses when the whole chain was emptied", async () => {
    const database = await start();
    const { audit } = await database.openProcess();
    await audit.append([makeEvent(1)], seal);
    await database.exec("DELETE FROM audit_records");
    await expect(audit.append([makeEvent(2)], seal)).rejects.toMatchObject({
      name: "AuditHeadMissingError",
      found: null,
    });
  });

  it("refuses when the head was replaced by a record of the same seq (deleted, then re-sealed by the attacker)", async () => {
    const database = await start();
    const { audit } = await database.openProcess();
    await audit.append([makeEvent(1), makeEvent(2)], seal);
    await database.exec(`UPDATE audit_records SET hash = '${"e".repeat(64)}' WHERE seq = 2`);
    await expect(audit.append([makeEvent(3)], seal)).rejects.toBeInstanceOf(AuditHeadMissingError);
  });

  it("refuses after a cut below the head another process appended since", async () => {
    const database = await start();
    const [first, second] = [(await database.openProcess()).audit, (await database.openProcess()).audit];
    await first.append([makeEvent(1), makeEvent(2)], seal);
    await second.append([makeEvent(3), makeEvent(4)], seal);
    await first.append([makeEvent(5)], seal); // first has now seen seq 5
    await database.exec("DELETE FROM audit_records WHERE seq > 3");
    await expect(first.append([makeEvent(6)], seal)).rejects.toBeInstanceOf(AuditHeadMissingError);
    // second last saw seq 4, which is gone too.
    await expect(second.append([makeEvent(6)], seal)).rejects.toBeInstanceOf(AuditHeadMissingError);
  });

  it("lets other processes move the head forward under it: that is no cut", async () => {
    const database = await start();
    const processes = await Promise.all([database.openProcess(), database.openProcess()]);
    const [first, second] = processes.map((stores) => stores.audit);
    for (let round = 0; round < 3; round++) {
      await first?.append([makeEvent(round * 4), makeEvent(round * 4 + 1)], seal);
      await second?.append([makeEvent(round * 4 + 2), makeEvent(round * 4 + 3)], seal);
    }
    await Promise.all([first?.append([makeEvent(20)], seal), second?.append([makeEvent(21)], seal)]);
    expectValidChain(await readAll(processes[0] as Stores), 14);
  });

  it("turns the gateway's audit log unhealthy and says why, so mutating calls fail closed", async () => {
    const database = await start();
    const { audit: store } = await database.openProcess();
    const errors: string[] = [];
    const keys = { k1: new Uint8Array(32).fill(3) };
    const log = createAuditLog({
      store,
      keys,
      currentKeyId: "k1",
      writeLine: null,
      logError: (message, error) => errors.push(`${message}: ${(error as Error).message}`),
    });
    await log.recordDurably(makeTestEvent({ requestId: "a" }));
    await log.recordDurably(makeTestEvent({ requestId: "b" }));
    await database.exec("DELETE FROM audit_records WHERE seq > 1");

    await expect(log.recordDurably(makeTestEvent({ requestId: "c" }))).rejects.toThrow();
    expect(log.isHealthy()).toBe(false);
    expect(errors).toEqual([expect.stringMatching(/tail was cut.*no longer holds record 2/)]);
    await log.close();
  });

  it("continues from the shortened head once restarted (the operator's call, after looking)", async () => {
    const database = await start();
    const before = await database.openProcess();
    await before.audit.append([makeEvent(1), makeEvent(2), makeEvent(3)], seal);
    await database.exec("DELETE FROM audit_records WHERE seq > 1");
    await expect(before.audit.append([makeEvent(4)], seal)).rejects.toBeInstanceOf(AuditHeadMissingError);

    const restarted = await database.openProcess();
    await restarted.audit.append([makeEvent(4)], seal);
    const records = await readAll(restarted);
    expectValidChain(records, 2);
    expect(records[1]?.event.requestId).toBe("req-4");
  });
});
