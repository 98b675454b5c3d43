/**
 * Runtime settings resolve database → environment (`RGW_SETTING_<KEY>`) → default, and report which source
 * won so the UI and CLI can show it. Values are validated on the way in and on the way out: a bad value in the
 * environment is a start-up error, never a silent fallback.
 */
import { z } from "zod";
import { readThrough, type TtlCache } from "../auth/ttl-cache.js";
import type { SettingsStore } from "../stores/types.js";

const booleanFromText = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((value) => value === "true"),
]);
const wholeNumber = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const minutes = wholeNumber.pipe(
  z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
);
const hours = wholeNumber.pipe(
  z
    .number()
    .int()
    .min(1)
    .max(24 * 90),
);

export const SETTING_DEFINITIONS = {
  allow_rack_jwt: {
    schema: booleanFromText,
    default: false,
    description:
      "Let admins call POST /system/jwt/token and PUT /system/jwt/rotate (mints credentials that bypass the gateway).",
  },
  session_timeout_minutes: {
    schema: minutes,
    default: 5,
    description: "Idle timeout of web sessions, in minutes.",
  },
  session_absolute_hours: {
    schema: hours,
    default: 12,
    description: "Absolute lifetime of a web session, in hours, however active it is.",
  },
  cli_session_idle_minutes: {
    schema: minutes,
    default: 120,
    description: "Idle timeout of CLI sessions, in minutes.",
  },
  cli_session_absolute_hours: {
    schema: hours,
    default: 24,
    description: "Absolute lifetime of a CLI session, in hours.",
  },
} as const;

export type SettingKey = keyof typeof SETTING_DEFINITIONS;
export type SettingValue<K extends SettingKey> = z.output<(typeof SETTING_DEFINITIONS)[K]["schema"]>;
export type SettingSource = "database" | "environment" | "default";

export interface ResolvedSetting<K extends SettingKey> {
  readonly key: K;
  readonly value: SettingValue<K>;
  readonly source: SettingSource;
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_DEFINITIONS, key);
}

/** Checks the `RGW_SETTING_*` overrides at start-up; returns one problem per bad value. */
export function validateSettingOverrides(overrides: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!isSettingKey(key)) {
      problems.push(
        `RGW_SETTING_${key.toUpperCase()} is not a known setting (known: ${Object.keys(SETTING_DEFINITIONS).join(", ")})`,
      );
    } else if (!SETTING_DEFINITIONS[key].schema.safeParse(value).success) {
      problems.push(`RGW_SETTING_${key.toUpperCase()} has an invalid value`);
    }
  }
  return problems;
}

export interface Settings {
  get<K extends SettingKey>(key: K): Promise<ResolvedSetting<K>>;
  set<K extends SettingKey>(key: K, value: unknown, updatedBy: string, at: Date): Promise<ResolvedSetting<K>>;
  reset(key: SettingKey): Promise<void>;
}

export function createSettings(deps: {
  store: SettingsStore;
  overrides: Readonly<Record<string, string>>;
  /** Resolved settings, cleared on every settings change (change feed). Absent: read the store every time. */
  cache?: TtlCache<ResolvedSetting<SettingKey>>;
}): Settings {
  const parse = <K extends SettingKey>(key: K, value: unknown) =>
    SETTING_DEFINITIONS[key].schema.safeParse(value) as z.ZodSafeParseResult<SettingValue<K>>;
  const resolve = async <K extends SettingKey>(key: K): Promise<ResolvedSetting<K>> => {
    const stored = await deps.store.get(key);
    if (stored) {
      const parsed = parse(key, stored.value);
      if (parsed.success) return { key, value: parsed.data, source: "database" };
    }
    const fromEnv = deps.overrides[key];
    if (fromEnv !== undefined) {
      const parsed = parse(key, fromEnv);
      if (parsed.success) return { key, value: parsed.data, source: "environment" };
    }
    return { key, value: SETTING_DEFINITIONS[key].default as SettingValue<typeof key>, source: "default" };
  };
  return {
    async get(key) {
      // resolve() always answers (a default at worst), so the result is never null.
      return (await readThrough(deps.cache, key, () => resolve(key))) as ResolvedSetting<typeof key>;
    },
    async set(key, value, updatedBy, at) {
      const parsed = parse(key, value);
      if (!parsed.success) throw new TypeError(`invalid value for setting ${key}`);
      await deps.store.set(key, parsed.data, updatedBy, at);
      return { key, value: parsed.data, source: "database" };
    },
    async reset(key) {
      await deps.store.delete(key);
    },
  };
}
