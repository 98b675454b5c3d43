import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../gateway/test/chromium.js";
import { type SignInHarness, startSignInHarness } from "../../gateway/test/signin-helpers.js";
import { createHome, runCli, startCli } from "./cli-process.js";

describe("rack-gateway login against a real gateway and a fake OIDC provider", () => {
  let kit: SignInHarness;
  beforeAll(async () => {
    kit = await startSignInHarness();
  });
  afterAll(() => kit?.close());

  // BROWSER=true: the CLI "opens" nothing; the test is the browser.
  const loginEnv = (home: ReturnType<typeof createHome>) => ({ ...home.env, BROWSER: "true" });

  const expectSignedIn = async (home: ReturnType<typeof createHome>, alias: string, email: string) => {
    const path = join(home.configHome, "rack-gateway", "config.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.configHome, "rack-gateway")).mode & 0o777).toBe(0o700);
    const config = JSON.parse(readFileSync(path, "utf8"));
    expect(config.current).toBe(alias);
    expect(config.racks[alias]).toMatchObject({ gatewayUrl: kit.gatewayUrl, email });
    expect(config.racks[alias].token).toMatch(/^rgws_/);
    const whoami = await runCli(["whoami", "--json"], { env: home.env });
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: { email }, session: { channel: "cli" } });
    return config.racks[alias] as { token: string; sessionId: string };
  };

  it("loopback flow (RFC 8252 + PKCE), browser side driven over plain HTTP with the provider's auto-select", async () => {
    const home = createHome();
    const cli = startCli(["login", "staging", kit.gatewayUrl], { env: loginEnv(home) });
    const [startUrl = ""] = await cli.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/auth\/cli\/start\?\S+/);
    const start = new URL(startUrl);
    expect(start.searchParams.get("code_challenge_method")).toBe("S256");
    expect(start.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(start.searchParams.get("device_name")).toMatch(/\(rack-gateway CLI\)$/);

    const browser = kit.newBrowser();
    const back = await browser.signIn("deployer@example.com", `${start.pathname}${start.search}`);
    expect(back.status).toBe(303);
    const callback = await fetch(back.location ?? "");
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain("You can close this tab");

    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Signed in to staging (${kit.gatewayUrl}) as deployer@example.com`);
    const entry = await expectSignedIn(home, "staging", "deployer@example.com");
    expect((await kit.harness.rackRequest(entry.token, "GET", "/apps")).status).toBe(200);

    // logout revokes on the server, then forgets.
    expect((await runCli(["logout"], { env: home.env })).code).toBe(0);
    expect((await kit.harness.rackRequest(entry.token, "GET", "/apps")).status).toBe(401);
  });

  it("loopback flow through Debian chromium driven by playwright-core", async () => {
    const home = createHome();
    const cli = startCli(["login", "chromium", kit.gatewayUrl], { env: loginEnv(home) });
    const [startUrl = ""] = await cli.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/auth\/cli\/start\?\S+/);
    const browser = await launchChromium();
    try {
      kit.idp.setAutoSelect("viewer@example.com");
      const page = await browser.newPage();
      await page.goto(startUrl);
      await page.waitForURL(/127\.0\.0\.1:\d+\/callback\?/, { timeout: 15_000 });
      expect(await page.textContent("body")).toContain("You can close this tab");
    } finally {
      await browser.close();
    }
    expect((await cli.done).code).toBe(0);
    await expectSignedIn(home, "chromium", "viewer@example.com");
  });

  it("a callback with another state is refused and the CLI keeps waiting for its own", async () => {
    const home = createHome();
    const cli = startCli(["login", "guarded", kit.gatewayUrl], { env: loginEnv(home) });
    const [startUrl = ""] = await cli.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/auth\/cli\/start\?\S+/);
    const start = new URL(startUrl);
    const redirectUri = start.searchParams.get("redirect_uri") ?? "";
    const forged = await fetch(`${redirectUri}?code=attacker-code&state=not-the-state`);
    expect(forged.status).toBe(400);
    const browser = kit.newBrowser();
    const back = await browser.signIn("admin@example.com", `${start.pathname}${start.search}`);
    expect((await fetch(back.location ?? "")).status).toBe(200);
    expect((await cli.done).code).toBe(0);
    await expectSignedIn(home, "guarded", "admin@example.com");
  });

  it("device flow (--no-browser): the person approves the code in a browser; the CLI polls until signed in", async () => {
    const home = createHome();
    const cli = startCli(["login", "ci-box", kit.gatewayUrl, "--no-browser"], { env: loginEnv(home) });
    const [, userCode = ""] = await cli.waitForStderr(/enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    const stderr = await cli.waitForStderr(/open (\S+) in a browser/);
    expect(stderr[1]).toBe(`${kit.gatewayUrl}/auth/device`);

    const browser = kit.newBrowser();
    const redirected = await browser.request(`/auth/device?user_code=${userCode}`);
    await browser.signIn("viewer@example.com", redirected.location ?? "");
    const approved = await browser.request("/auth/device", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await browser.csrfToken(), user_code: userCode, decision: "approve" },
    });
    expect(approved.status).toBe(200);

    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("as viewer@example.com");
    await expectSignedIn(home, "ci-box", "viewer@example.com");
  });

  it("device flow denied in the browser: exit 3 and nothing stored", async () => {
    const home = createHome();
    const cli = startCli(["login", "denied", kit.gatewayUrl, "--no-browser"], { env: loginEnv(home) });
    const [, userCode = ""] = await cli.waitForStderr(/enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    const browser = kit.newBrowser();
    const redirected = await browser.request(`/auth/device?user_code=${userCode}`);
    await browser.signIn("viewer@example.com", redirected.location ?? "");
    await browser.request("/auth/device", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await browser.csrfToken(), user_code: userCode, decision: "deny" },
    });
    const result = await cli.done;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("the sign-in was denied in the browser");
    expect(() => readFileSync(join(home.configHome, "rack-gateway", "config.json"))).toThrow();
  });
});
