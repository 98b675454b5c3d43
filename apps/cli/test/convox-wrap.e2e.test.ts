// Threat: wrapping convox leaks the rack's own token to the user's machine, or mangles what convox is given.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../gateway/test/harness.js";
import { CLI_DIR, type CliRunOptions, createHome, runCli } from "./cli-process.js";
import { type SignedInPerson, startCliSession, writeSignedInConfig } from "./signed-in.js";

const STAND_IN_BIN = join(CLI_DIR, "test", "fixtures", "bin");

interface Recorded {
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

describe("convox wrapping through the gateway", () => {
  let harness: Harness;
  let person: SignedInPerson;
  let other: SignedInPerson;
  let env: Record<string, string>;
  let record: string;
  const recorded = (): Recorded[] =>
    readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Recorded);
  const wrapped = (args: readonly string[], options: CliRunOptions = {}) =>
    runCli(args, {
      ...options,
      env: { ...env, PATH: `${STAND_IN_BIN}:${env.PATH}`, CONVOX_RECORD: record, ...options.env },
    });

  beforeAll(async () => {
    harness = await startHarness();
    const home = createHome();
    person = await startCliSession(harness, [{ role: "viewer" }], "wrap");
    other = await startCliSession(harness, [{ role: "ops" }], "other");
    writeSignedInConfig(
      home.configHome,
      harness.gatewayUrl,
      { staging: person, production: other },
      "staging",
    );
    env = home.env;
  });
  beforeEach(() => {
    record = join(mkdtempSync(join(tmpdir(), "rgw-convox-")), "record.jsonl");
  });
  afterAll(() => harness?.close());

  it("`convox <args…>` passes arguments untouched, RACK_URL with the session token, and the environment", async () => {
    // (A --rack among them is refused: rack-flag.wrong-rack.threat.e2e.test.ts.)
    const result = await wrapped(["convox", "apps", "--wait", "-a", "x y", "--", "z", "--rack", "kept"], {
      env: { MY_SETTING: "kept" },
    });
    expect(result).toMatchObject({ code: 0, stdout: "apps: myapp\n" });
    const [call] = recorded();
    expect(call?.args).toEqual(["apps", "--wait", "-a", "x y", "--", "z", "--rack", "kept"]);
    const port = new URL(harness.gatewayUrl).port;
    expect(call?.env.RACK_URL).toBe(
      `http://convox:${encodeURIComponent(person.token)}@127.0.0.1:${port}/api/v1/rack-proxy`,
    );
    expect(call?.env.MY_SETTING).toBe("kept");
    // The rack's own password is never on this side of the gateway.
    expect(JSON.stringify(call)).not.toContain(harness.rackPassword);
    expect(JSON.stringify(call)).not.toContain(encodeURIComponent(harness.rackPassword));
  });

  it("a command rack-gateway does not implement runs convox with exactly what was typed", async () => {
    const result = await wrapped(["instances", "keyroll", "--wait"]);
    expect(result.code).toBe(0);
    expect(recorded()[0]?.args).toEqual(["instances", "keyroll", "--wait"]);
  });

  it("convox's exit code and stdin come through", async () => {
    expect((await wrapped(["convox", "exit-with", "42"])).code).toBe(42);
    expect((await wrapped(["certs", "exit-with", "3"])).code).toBe(3);
    const piped = await wrapped(["convox", "cat"], { input: "hello convox\n" });
    expect(piped).toMatchObject({ code: 0, stdout: "apps: myapp\nstdin: hello convox\n" });
  });

  it("a leading --rack picks another signed-in rack", async () => {
    const result = await wrapped(["convox", "--rack", "production", "apps"]);
    expect(result.code).toBe(0);
    const [call] = recorded();
    expect(call?.args).toEqual(["apps"]);
    expect(call?.env.RACK_URL).toContain(encodeURIComponent(other.token));
  });

  it("in CI mode the API token is the password", async () => {
    const ci = createHome();
    const result = await runCli(["convox", "apps"], {
      env: {
        ...ci.env,
        PATH: `${STAND_IN_BIN}:${ci.env.PATH}`,
        CONVOX_RECORD: record,
        RACK_GATEWAY_URL: harness.gatewayUrl,
        RACK_GATEWAY_API_TOKEN: harness.tokens.viewer,
      },
    });
    expect(result).toMatchObject({ code: 0, stdout: "apps: myapp\n" });
    expect(recorded()[0]?.env.RACK_URL).toContain(`convox:${encodeURIComponent(harness.tokens.viewer)}@`);
  });

  it("a missing convox binary says how to install it and which commands work without it (exit 127)", async () => {
    const result = await runCli(["convox", "apps"], { env: { ...env, PATH: "/nonexistent" } });
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("the `convox` command is not installed");
    expect(result.stderr).toContain("https://docs.convox.com/installation/cli");
    expect(result.stderr).toContain("apps, apps info, ps");
    const unknown = await runCli(["instances"], { env: { ...env, PATH: "/nonexistent" } });
    expect(unknown.code).toBe(127);
  });

  it("not signed in: wrapping says how to sign in (exit 3) and runs nothing", async () => {
    const empty = createHome();
    const result = await runCli(["convox", "apps"], {
      env: { ...empty.env, PATH: `${STAND_IN_BIN}:${empty.env.PATH}`, CONVOX_RECORD: record },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("rack-gateway login <alias> <gateway-url>");
    expect(() => readFileSync(record)).toThrow();
  });
});
