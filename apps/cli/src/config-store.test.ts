import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigFileError,
  configPathOf,
  emptyConfig,
  readConfig,
  validateAlias,
  writeConfig,
} from "./index.js";

const entry = {
  gatewayUrl: "https://gateway.example.com",
  token: "rgws_secret",
  sessionId: "s1",
  email: "a@example.com",
  expiresAt: null,
  signedInAt: "2026-01-01T00:00:00.000Z",
};

describe("config store", () => {
  it("lives under XDG_CONFIG_HOME, else ~/.config (a relative XDG_CONFIG_HOME is ignored, per the spec)", () => {
    expect(configPathOf({ XDG_CONFIG_HOME: "/x", HOME: "/h" })).toBe("/x/rack-gateway/config.json");
    expect(configPathOf({ HOME: "/h" })).toBe("/h/.config/rack-gateway/config.json");
    expect(configPathOf({ XDG_CONFIG_HOME: "rel", HOME: "/h" })).toBe("/h/.config/rack-gateway/config.json");
  });

  it("writes atomically with directory 0700 and file 0600, leaving no temp file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rgw-cfg-")), "deep", "rack-gateway", "config.json");
    await writeConfig(path, { version: 1, current: "a", racks: { a: entry } });
    await writeConfig(path, { version: 1, current: "a", racks: { a: { ...entry, token: "rgws_new" } } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(path, ".."))).toEqual(["config.json"]);
    expect((await readConfig(path)).config.racks.a?.token).toBe("rgws_new");
  });

  it("reads a missing file as empty, and resets a group/world-readable file to 0600, reporting the old mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rgw-cfg-"));
    expect(await readConfig(join(dir, "none.json"))).toEqual({ config: emptyConfig(), fixedMode: null });
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ version: 1, current: "a", racks: { a: entry } }));
    chmodSync(path, 0o644);
    const read = await readConfig(path);
    expect(read.fixedMode).toBe(0o644);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await readConfig(path)).fixedMode).toBeNull();
  });

  it("refuses a file that is not a version 1 config, and drops a current rack that does not exist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rgw-cfg-"));
    const path = join(dir, "config.json");
    writeFileSync(path, "{not json", { mode: 0o600 });
    await expect(readConfig(path)).rejects.toBeInstanceOf(ConfigFileError);
    writeFileSync(path, JSON.stringify({ version: 2, racks: {} }));
    await expect(readConfig(path)).rejects.toThrow(/not a rack-gateway config/);
    writeFileSync(
      path,
      JSON.stringify({ version: 1, current: "gone", racks: { a: entry, bad: { token: 1 } } }),
    );
    expect((await readConfig(path)).config).toEqual({ version: 1, current: null, racks: { a: entry } });
  });

  it.each([
    ["staging", null],
    ["prod-eu.1_b", null],
    ["../etc", "must be"],
    ["", "must be"],
    ["a b", "must be"],
    ["x".repeat(64), "must be"],
  ])("alias %j", (alias, problem) => {
    const result = validateAlias(alias);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });
});
