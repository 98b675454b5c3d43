// Threat: an unauthenticated visitor puts terminal escape sequences and forged audit lines on an admin's `audit tail`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, type SignInHarness, startSignInHarness } from "../../gateway/test/signin-helpers.js";
import { createHome, runCli } from "./cli-process.js";
import { startCliSession, writeSignedInConfig } from "./signed-in.js";

const FORGED = "99  admin@example.com  rack.request  allow  GET /apps  200";
const PAYLOAD = `\x1b]0;pwned\x07\x1b[2K\n${FORGED}\u202e`;

describe("audit tail shows a hostile sign-in error as inert text", () => {
  let kit: SignInHarness;
  let adminEnv: Record<string, string>;

  beforeAll(async () => {
    kit = await startSignInHarness();
    const home = createHome();
    const admin = await startCliSession(kit.harness, [{ role: "admin" }], "admin");
    writeSignedInConfig(home.configHome, kit.gatewayUrl, { local: admin }, "local");
    adminEnv = home.env;
    const attacker = kit.newBrowser();
    const toProvider = await attacker.startAt("/auth/login");
    const state = new URL(toProvider.location ?? "").searchParams.get("state") ?? "";
    const callback = await attacker.request(
      `/auth/callback?state=${encodeURIComponent(state)}&error=${encodeURIComponent(PAYLOAD)}`,
    );
    expect(callback.status).toBe(403);
  });
  afterAll(() => kit?.close());

  it("the recorded reason carries no raw control character", async () => {
    const [event] = (await auditEvents(kit, "signin.failure")).slice(-1);
    expect(event?.reason).toContain("the identity provider answered");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
    expect(event?.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it("audit tail prints escapes, never ESC, BEL, a bidi override or a forged line", async () => {
    const { code, stdout } = await runCli(["audit", "tail", "--limit", "5"], { env: adminEnv });
    expect(code).toBe(0);
    expect(stdout).toContain("signin.failure");
    // Only the line ends are real line breaks.
    expect(stdout).not.toMatch(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    );
    expect(stdout.split("\n").filter((line) => line.startsWith("99 "))).toEqual([]);
    expect(stdout).toContain(String.raw`\x1b]0;pwned\x07`);
  });
});
