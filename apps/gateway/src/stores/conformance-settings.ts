/** Settings store conformance cases (registered by `describeStoresConformance`). */
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";

const first = new Date("2026-03-01T10:00:00.000Z");
const second = new Date("2026-03-02T10:00:00.000Z");

export function describeSettingsConformance(context: ConformanceContext): void {
  describe("settings", () => {
    it("sets, gets, overwrites and deletes a setting", async () => {
      const { settings } = context().stores;
      expect(await settings.get("session_timeout_minutes")).toBeNull();
      const set = await settings.set("session_timeout_minutes", 30, "alice@example.com", first);
      expect(set).toEqual({
        key: "session_timeout_minutes",
        value: 30,
        updatedBy: "alice@example.com",
        updatedAt: first,
      });
      expect(await settings.get("session_timeout_minutes")).toEqual(set);
      await settings.set("session_timeout_minutes", 45, "bob@example.com", second);
      expect(await settings.get("session_timeout_minutes")).toEqual({
        key: "session_timeout_minutes",
        value: 45,
        updatedBy: "bob@example.com",
        updatedAt: second,
      });
      expect(await settings.delete("session_timeout_minutes")).toBe(true);
      expect(await settings.delete("session_timeout_minutes")).toBe(false);
      expect(await settings.get("session_timeout_minutes")).toBeNull();
    });

    it("lists settings by key", async () => {
      const { settings } = context().stores;
      await settings.set("protected_env_vars", ["DATABASE_URL"], "alice@example.com", first);
      await settings.set("mfa_step_up_minutes", 10, "alice@example.com", first);
      expect((await settings.list()).map((setting) => setting.key)).toEqual([
        "mfa_step_up_minutes",
        "protected_env_vars",
      ]);
    });

    it.each([
      ["a string that looks like a number", "123"],
      ["a string that looks like JSON", '{"a":1}'],
      ["a string that looks like a boolean", "true"],
      ["an empty string", ""],
      ["unicode", "déploiement 🚀 \u2028"],
      ["zero", 0],
      ["a negative fraction", -12.5],
      ["false", false],
      ["null", null],
      ["an array", [1, "two", null, [true]]],
      ["a nested object", { slack: { channels: { deploys: "#ops" } }, enabled: true, list: [] }],
    ])("stores %s exactly", async (_label, value) => {
      const { settings } = context().stores;
      await settings.set("value", value, "alice@example.com", first);
      expect((await settings.get("value"))?.value).toEqual(value);
    });

    it("rejects values JSON cannot hold instead of changing them", async () => {
      const { settings } = context().stores;
      for (const value of [
        undefined,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        { when: new Date(0) },
        "a\u0000b",
      ]) {
        await expect(settings.set("bad", value, "alice@example.com", first)).rejects.toThrow(TypeError);
      }
      expect(await settings.get("bad")).toBeNull();
    });
  });
}
