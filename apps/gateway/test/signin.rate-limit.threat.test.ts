// Threat: unlimited sign-in failures — probing accounts or hammering the identity provider through the gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, type SignInHarness, sessionCookieOf, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

describe("failed sign-ins are limited per account (5 / 15 min) and per address (10 / 15 min)", () => {
  it("blocks an account after five failures, audited, even once it would succeed", async () => {
    const users = kit.harness.gateway.deps.stores.users;
    const user = await users.findByEmail("deployer@example.com");
    await users.lock(user?.id ?? "", "suspicious", "test", new Date());
    for (let failure = 0; failure < 5; failure++) {
      expect((await kit.newBrowser().signIn("deployer@example.com")).status).toBe(403);
    }
    await users.unlock(user?.id ?? "", new Date());
    const browser = kit.newBrowser();
    const page = await browser.signIn("deployer@example.com");
    expect(page.status).toBe(429);
    expect(sessionCookieOf(browser)).toBeUndefined();
    const limited = (await auditEvents(kit, "signin.rate-limited")).at(-1);
    expect(limited?.actor.email).toBe("deployer@example.com");
    // Another account from the same address still gets in (5 failures < 10).
    expect((await kit.newBrowser().signIn("viewer@example.com")).status).toBe(200);
  });

  it("blocks the address after ten failures, before the provider is contacted", async () => {
    const pending = kit.newBrowser();
    const pendingCallback = await pending.authorizeAt(
      "admin@example.com",
      await pending.startAt("/auth/login"),
    );
    for (let failure = 0; failure < 5; failure++) {
      expect((await kit.newBrowser().signIn("outsider@evil.example")).status).toBe(403);
    }
    const start = await kit.newBrowser().request("/auth/login");
    expect(start.status).toBe(429);
    expect(start.location).toBeNull();
    const cliStart = await kit
      .newBrowser()
      .request(
        "/auth/cli/start?redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s",
      );
    expect(cliStart.status).toBe(429);
    const tokenCalls = kit.idp.tokenRequests.length;
    expect((await pending.request(pendingCallback)).status).toBe(429);
    expect(kit.idp.tokenRequests.length).toBe(tokenCalls);
    expect(sessionCookieOf(pending)).toBeUndefined();
    const cliToken = await fetch(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: "x", code_verifier: "y" }),
    });
    expect(cliToken.status).toBe(429);
  });

  it("lets people in again once the window has passed", async () => {
    // Two windows on, the sliding window holds none of the failures above.
    kit.advanceClock(30 * 60_000);
    expect((await kit.newBrowser().signIn("deployer@example.com")).status).toBe(200);
  });
});
