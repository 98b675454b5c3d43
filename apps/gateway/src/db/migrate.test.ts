import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, MigrationChangedError, migrate } from "./migrate.js";

const clients: PGlite[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function freshDatabase() {
  const client = await PGlite.create();
  clients.push(client);
  return { client, db: drizzle(client) };
}

function copyMigrations(): string {
  const folder = mkdtempSync(join(tmpdir(), "rgw-migrations-"));
  folders.push(folder);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  return folder;
}

describe("migrate", () => {
  it("applies every migration once and is a no-op afterwards", async () => {
    const { client, db } = await freshDatabase();
    expect(await migrate(db)).toEqual([
      "0000_init",
      "0001_people",
      "0002_checkpoint_frontier",
      "0003_token_creators",
    ]);
    expect(await migrate(db)).toEqual([]);
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      "api_tokens",
      "audit_checkpoints",
      "audit_records",
      "cli_grants",
      "gateway_migrations",
      "rate_limits",
      "sessions",
      "settings",
      "sign_in_attempts",
      "users",
    ]);
  });

  it("applies a new migration added to the journal, and only that one", async () => {
    const folder = copyMigrations();
    const { client, db } = await freshDatabase();
    await migrate(db, { migrationsFolder: folder });
    const journalPath = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8"));
    journal.entries.push({ idx: 1, version: "7", when: 1, tag: "0001_note", breakpoints: true });
    writeFileSync(journalPath, JSON.stringify(journal));
    writeFileSync(
      join(folder, "0001_note.sql"),
      'ALTER TABLE "settings" ADD COLUMN "note" text;--> statement-breakpoint\nCREATE INDEX "settings_note_idx" ON "settings" ("note");',
    );
    expect(await migrate(db, { migrationsFolder: folder })).toEqual(["0001_note"]);
    const columns = await client.query("SELECT 1 FROM information_schema.columns WHERE column_name = 'note'");
    expect(columns.rows).toHaveLength(1);
  });

  it("binds tokens people made before 0003_token_creators to those people, and no others", async () => {
    const folder = copyMigrations();
    const journalPath = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8"));
    const full = JSON.stringify(journal);
    journal.entries = journal.entries.filter((entry: { tag: string }) => entry.tag < "0003_token_creators");
    writeFileSync(journalPath, JSON.stringify(journal));
    const { client, db } = await freshDatabase();
    await migrate(db, { migrationsFolder: folder });
    const person = await client.query<{ id: string }>(
      "INSERT INTO users (email, name, grants, grants_source, created_at, created_by, updated_at) " +
        "VALUES ('alice@example.com', 'Alice', '[]', 'admin', now(), 'test', now()) RETURNING id",
    );
    await client.exec(
      "INSERT INTO api_tokens (name, token_hash, display_prefix, grants, created_by, created_at) VALUES " +
        "('by-alice', 'h1', 'rgw_1', '[]', 'alice@example.com', now()), " +
        "('by-operator', 'h2', 'rgw_2', '[]', 'operator:root', now())",
    );

    writeFileSync(journalPath, full);
    expect(await migrate(db, { migrationsFolder: folder })).toEqual(["0003_token_creators"]);
    const rows = await client.query<{ name: string; created_by_user_id: string | null }>(
      "SELECT name, created_by_user_id FROM api_tokens ORDER BY name",
    );
    expect(rows.rows).toEqual([
      { name: "by-alice", created_by_user_id: person.rows[0]?.id },
      { name: "by-operator", created_by_user_id: null },
    ]);
  });

  it("refuses to run when an applied migration was edited afterwards", async () => {
    const folder = copyMigrations();
    const { db } = await freshDatabase();
    await migrate(db, { migrationsFolder: folder });
    writeFileSync(
      join(folder, "0000_init.sql"),
      `${readFileSync(join(folder, "0000_init.sql"), "utf8")}\n-- edited`,
    );
    const error = await migrate(db, { migrationsFolder: folder }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationChangedError);
    expect((error as MigrationChangedError).tag).toBe("0000_init");
  });

  it("applies nothing when one statement of a migration fails", async () => {
    const folder = copyMigrations();
    writeFileSync(
      join(folder, "0000_init.sql"),
      `${readFileSync(join(folder, "0000_init.sql"), "utf8")}--> statement-breakpoint\nSELECT no_such_function();`,
    );
    const { client, db } = await freshDatabase();
    await expect(migrate(db, { migrationsFolder: folder })).rejects.toThrow();
    const tables = await client.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.rows).toEqual([]);
  });
});
