/**
 * Runtime settings: each with its value, where that value comes from (database, environment or default) and
 * what it does; admins change a setting (stored in the database) or reset it to the environment or default.
 */
import type { JsonValue } from "@rack-gateway/audit-chain";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv, Identity } from "../http/identity.js";
import { isSettingKey, SETTING_DEFINITIONS, type SettingKey } from "../settings/settings.js";
import { durableAudit } from "./durable-audit.js";
import { requireIdentity } from "./me-routes.js";
import { parseInput, readJsonBody } from "./request-body.js";
import { authorOf } from "./users-routes.js";

const valueBody = z.strictObject({ value: z.unknown() });

function settingKeyOf(c: Context<AppEnv>): SettingKey {
  const key = c.req.param("key") ?? "";
  if (!isSettingKey(key)) {
    throw new GatewayError(
      404,
      "NOT_FOUND",
      `no setting ${key} (settings: ${Object.keys(SETTING_DEFINITIONS).join(", ")})`,
    );
  }
  return key;
}

export function settingsRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const audit = durableAudit(deps.audit);

  const describe = async (key: SettingKey) => {
    const [resolved, stored] = await Promise.all([deps.settings.get(key), deps.stores.settings.get(key)]);
    const fromDatabase = resolved.source === "database" && stored !== null;
    return {
      key,
      value: resolved.value,
      source: resolved.source,
      default: SETTING_DEFINITIONS[key].default,
      description: SETTING_DEFINITIONS[key].description,
      updatedBy: fromDatabase ? stored.updatedBy : null,
      updatedAt: fromDatabase ? stored.updatedAt.toISOString() : null,
    };
  };

  const record = async (
    c: Context<AppEnv>,
    identity: Identity,
    action: "setting.change" | "setting.reset",
    reason: string,
    detail: Record<string, JsonValue>,
  ) => {
    const ip = c.get("clientIp");
    await audit.recordDurably({
      time: deps.now().toISOString(),
      requestId: c.get("requestId"),
      actor: identity.actor,
      action,
      method: c.req.method,
      path: c.get("route").path,
      decision: "allow",
      reason,
      ...(ip ? { clientIp: ip } : {}),
      detail,
    });
  };

  app.get("/api/v1/settings", async (c) => {
    const keys = Object.keys(SETTING_DEFINITIONS) as SettingKey[];
    return c.json({ settings: await Promise.all(keys.map(describe)) });
  });

  app.put("/api/v1/settings/:key", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const key = settingKeyOf(c);
    const body = await readJsonBody(c, valueBody, "send JSON { value }");
    const value = parseInput(
      SETTING_DEFINITIONS[key].schema,
      body.value,
      SETTING_DEFINITIONS[key].description,
    );
    const before = await deps.settings.get(key);
    await deps.settings.set(key, value, authorOf(identity), deps.now());
    // The field is `setting`, not `key`: audit redaction treats a field named key as a secret.
    await record(
      c,
      identity,
      "setting.change",
      `${authorOf(identity)} set ${key} to ${JSON.stringify(value)}`,
      {
        setting: key,
        before: before.value,
        beforeSource: before.source,
        after: value,
      },
    );
    return c.json({ setting: await describe(key) });
  });

  app.delete("/api/v1/settings/:key", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const key = settingKeyOf(c);
    const stored = await deps.stores.settings.get(key);
    const before = await deps.settings.get(key);
    await deps.settings.reset(key);
    const after = await describe(key);
    const changed = stored !== null;
    if (changed) {
      await record(
        c,
        identity,
        "setting.reset",
        `${authorOf(identity)} reset ${key} to its ${after.source} value ${JSON.stringify(after.value)}`,
        { setting: key, before: before.value, after: after.value, afterSource: after.source },
      );
    }
    return c.json({ setting: after, changed });
  });

  return app;
}
