// Threat: `--rack <alias>` silently ignored, so a command meant for staging runs against production.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../gateway/test/harness.js";
import { CLI_DIR, createHome, runCli } from "./cli-process.js";
import { type SignedInPerson, startCliSession, writeSignedInConfig } from "./signed-in.js";

interface Recorded {
  args: string[];
  env: Record<string, string>;
}

describe("--rack picks the rack for every command, or the command is refused", () => {
  let harness: Harness;
  let staging: SignedInPerson;
  let production: SignedInPerson;
  let env: Record<string, string>;
  let record: string;
  const calls = (): Recorded[] => {
    try {
      return readFileSync(record, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Recorded);
    } catch {
      return [];
    }
  };
  const passwordOf = (call: Recorded | undefined) =>
    decodeURIComponent(new URL(call?.env.RACK_URL ?? "http://x").password);
  const run = (args: readonly string[]) =>
    runCli(args, {
      env: { ...env, PATH: `${join(CLI_DIR, "test", "fixtures", "bin")}:${env.PATH}`, CONVOX_RECORD: record },
    });

  beforeAll(async () => {
    harness = await startHarness();
    const home = createHome();
    staging = await startCliSession(harness, [{ role: "viewer" }], "staging");
    production = await startCliSession(harness, [{ role: "ops" }], "production");
    writeSignedInConfig(home.configHome, harness.gatewayUrl, { staging, production }, "production");
    env = home.env;
  });
  beforeEach(() => {
    record = join(mkdtempSync(join(tmpdir(), "rgw-rack-flag-")), "record.jsonl");
  });
  afterAll(() => harness?.close());

  it.each([[["--rack", "staging", "whoami"]], [["--rack=staging", "whoami"]]])(
    "%j runs natively as the staging session",
    async (args) => {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Rack {5}staging /m);
      expect(result.stdout).toContain(staging.email);
      expect(calls()).toEqual([]);
    },
  );

  it("a leading --rack before a native command with its own flags and arguments still runs it natively", async () => {
    // staging's viewer may not set env (production's ops could): denied natively, nothing sent to convox.
    const result = await run(["--rack", "staging", "env", "set", "FEATURE=on", "-a", "myapp"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("rack-gateway: permission denied");
    expect(calls()).toEqual([]);
  });

  it.each([
    [["--rack=staging", "certs"]],
    [["--rack", "staging", "certs"]],
    [["--rack", "staging", "convox", "certs"]],
  ])("%j runs convox against staging", async (args) => {
    const result = await run(args);
    expect(result.code).toBe(0);
    const [call] = calls();
    expect(call?.args).toEqual(["certs"]);
    expect(passwordOf(call)).toBe(staging.token);
  });

  it.each([
    [["apps", "delete", "myapp", "--rack", "staging"], "--rack"],
    [["certs", "--rack=staging"], "--rack=staging"],
    [["certs", "-r", "staging"], "-r"],
    [["convox", "apps", "--rack", "staging"], "--rack"],
    [["--rack", "staging", "instances", "--rack", "production"], "--rack"],
  ])("%j is refused (exit 2), never run against the current rack", async (args, option) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`rack-gateway: ${option} would be ignored by convox`);
    expect(result.stderr).toContain("put --rack <alias> first");
    expect(calls()).toEqual([]);
  });

  it("a rack option after `--` belongs to the command convox runs, and passes through", async () => {
    const result = await run(["--rack", "staging", "certs", "--", "tool", "--rack", "x"]);
    expect(result.code).toBe(0);
    const [call] = calls();
    expect(call?.args).toEqual(["certs", "--", "tool", "--rack", "x"]);
    expect(passwordOf(call)).toBe(staging.token);
  });
});
