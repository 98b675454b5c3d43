/** Runtime settings in PostgreSQL: JSON values in a jsonb column, upserted by key. */
import { asc, eq, sql } from "drizzle-orm";
import type { GatewayDatabase } from "../db/database.js";
import { settings } from "../db/schema.js";
import type { SettingRecord, SettingsStore } from "./types.js";

/** The settings store over drizzle (PGlite or postgres.js). */
export function createPostgresSettingsStore(db: GatewayDatabase): SettingsStore {
  return {
    async get(key: string): Promise<SettingRecord | null> {
      const [row] = await db.select().from(settings).where(eq(settings.key, key)).limit(1);
      return row ?? null;
    },

    async set(key: string, value: unknown, updatedBy: string, at: Date): Promise<SettingRecord> {
      assertJsonValue(key, value);
      // Explicit cast: drizzle sends a JSON null as SQL NULL without encoding it.
      const json = sql`${JSON.stringify(value)}::text::jsonb`;
      const [row] = await db
        .insert(settings)
        .values({ key, value: json, updatedBy, updatedAt: at })
        .onConflictDoUpdate({ target: settings.key, set: { value: json, updatedBy, updatedAt: at } })
        .returning();
      return row!;
    },

    async delete(key: string): Promise<boolean> {
      const rows = await db.delete(settings).where(eq(settings.key, key)).returning({ key: settings.key });
      return rows.length === 1;
    },

    async list(): Promise<SettingRecord[]> {
      return db.select().from(settings).orderBy(asc(settings.key));
    },
  };
}

// jsonb holds only what survives JSON, minus \u0000: reject the rest rather than let it change silently
// (undefined and NaN would turn into null) or fail deep in the driver.
function assertJsonValue(key: string, value: unknown): void {
  const check = (item: unknown, at: string): void => {
    if (item === null || typeof item === "boolean") return;
    if (typeof item === "string") {
      if (!item.includes("\u0000")) return;
    } else if (typeof item === "number") {
      if (Number.isFinite(item)) return;
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => {
        check(element, `${at}[${index}]`);
      });
      return;
    } else if (typeof item === "object" && Object.getPrototypeOf(item) === Object.prototype) {
      for (const [name, element] of Object.entries(item)) {
        if (name.includes("\u0000"))
          throw new TypeError(`setting ${key}: ${at} has a key containing \\u0000`);
        check(element, `${at}.${name}`);
      }
      return;
    }
    throw new TypeError(
      `setting ${key}: ${at} (${typeof item}) cannot be stored as JSON; pass strings without \\u0000, ` +
        "finite numbers, booleans, null, arrays and plain objects only",
    );
  };
  check(value, "value");
}
