/**
 * Applies the SQL migrations in `apps/gateway/migrations/` (drizzle-kit's folder format) in one transaction
 * under a PostgreSQL advisory lock, so replicas starting together apply each migration exactly once.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { type GatewayDatabase, MIGRATIONS_LOCK_KEY } from "./database.js";

/** Same path from `src/db/` and from `dist/db/`. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

// Lives in the connection's current schema (not drizzle-kit's `drizzle` schema), so a database can hold
// several independent gateway schemas, as the PostgreSQL tests do.
const schemaMigrations = pgTable("gateway_migrations", {
  tag: text("tag").primaryKey(),
  hash: text("hash").notNull(),
  appliedAt: timestamp("applied_at", { withTimezone: true, mode: "date" }).notNull(),
});

export interface MigrateOptions {
  /** Folder holding `meta/_journal.json` and the `.sql` files. Default: the gateway's `migrations/`. */
  readonly migrationsFolder?: string;
}

/** A migration already applied to this database no longer matches its file. */
export class MigrationChangedError extends Error {
  override readonly name = "MigrationChangedError";
  readonly tag: string;

  constructor(tag: string) {
    super(
      `migration ${tag} was changed after it was applied to this database. Never edit an applied ` +
        "migration: restore the file and add a new migration with `npx drizzle-kit generate`.",
    );
    this.tag = tag;
  }
}

interface Migration {
  readonly tag: string;
  readonly hash: string;
  readonly statements: readonly string[];
}

/**
 * Brings the schema up to date. Idempotent; safe when several processes call it at once on one
 * PostgreSQL. Returns the tags it applied (empty when already up to date).
 */
export async function migrate(db: GatewayDatabase, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = readMigrations(options.migrationsFolder ?? MIGRATIONS_FOLDER);
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`SELECT pg_advisory_xact_lock(${MIGRATIONS_LOCK_KEY})`));
    await tx.execute(
      sql.raw(
        "CREATE TABLE IF NOT EXISTS gateway_migrations " +
          "(tag text PRIMARY KEY, hash text NOT NULL, applied_at timestamptz NOT NULL)",
      ),
    );
    const applied = new Map(
      (await tx.select().from(schemaMigrations)).map((row) => [row.tag, row.hash] as const),
    );
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      const hash = applied.get(migration.tag);
      if (hash !== undefined) {
        if (hash !== migration.hash) throw new MigrationChangedError(migration.tag);
        continue;
      }
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.insert(schemaMigrations).values({
        tag: migration.tag,
        hash: migration.hash,
        appliedAt: sql`now()`,
      });
      appliedNow.push(migration.tag);
    }
    return appliedNow;
  });
}

function readMigrations(folder: string): Migration[] {
  const journal = JSON.parse(fs.readFileSync(`${folder}/meta/_journal.json`, "utf8")) as {
    entries: { tag: string }[];
  };
  return journal.entries.map(({ tag }) => {
    const text = fs.readFileSync(`${folder}/${tag}.sql`, "utf8");
    return {
      tag,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text
        .split(STATEMENT_BREAKPOINT)
        .map((statement) => statement.trim())
        .filter((statement) => statement.length > 0),
    };
  });
}
