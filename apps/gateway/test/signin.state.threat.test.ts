// Threat: a forged, swapped or replayed callback (state, binding cookie) signs a browser in — login CSRF.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, type SignInHarness, sessionCookieOf, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

async function lastFailureReason() {
  return (await auditEvents(kit, "signin.failure")).at(-1)?.reason;
}

describe("the callback must come back to the browser that started it, once", () => {
  it("refuses a forged state", async () => {
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login");
    const callback = new URL(await browser.authorizeAt("admin@example.com", toProvider));
    callback.searchParams.set("state", "Zm9yZ2VkLXN0YXRlLXZhbHVlLWZyb20tYW4tYXR0YWNrZXI");
    const tokenCalls = kit.idp.tokenRequests.length;
    const page = await browser.request(callback.toString());
    expect(page.status).toBe(400);
    expect(sessionCookieOf(browser)).toBeUndefined();
    expect(kit.idp.tokenRequests.length).toBe(tokenCalls);
    expect(await lastFailureReason()).toMatch(/state does not match/);
  });

  it("refuses a callback delivered to a browser without the binding cookie (attacker's code in a victim's browser)", async () => {
    const attacker = kit.newBrowser();
    const callback = await attacker.authorizeAt("viewer@example.com", await attacker.startAt("/auth/login"));
    const victim = kit.newBrowser();
    const page = await victim.request(callback);
    expect(page.status).toBe(400);
    expect(sessionCookieOf(victim)).toBeUndefined();
    expect(await lastFailureReason()).toMatch(/without the sign-in binding cookie/);
    // The attempt was burnt by the forged delivery: not even its own browser can finish it now.
    expect((await attacker.request(callback)).status).toBe(400);
    expect(sessionCookieOf(attacker)).toBeUndefined();
  });

  it("refuses a callback whose state belongs to another browser's sign-in (mismatched binding)", async () => {
    const attacker = kit.newBrowser();
    const callback = await attacker.authorizeAt("viewer@example.com", await attacker.startAt("/auth/login"));
    const victim = kit.newBrowser();
    await victim.startAt("/auth/login");
    const page = await victim.request(callback);
    expect(page.status).toBe(400);
    expect(sessionCookieOf(victim)).toBeUndefined();
    expect(await lastFailureReason()).toMatch(/state does not match/);
  });

  it("refuses a binding cookie whose MAC was tampered with", async () => {
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login");
    const binding = browser.cookies.get("rgw_signin") ?? "";
    const [state] = binding.split(".");
    browser.cookies.set("rgw_signin", `${state}.00000000-0000-4000-8000-000000000000.AAAA`);
    const page = await browser.finishAt("admin@example.com", toProvider);
    expect(page.status).toBe(400);
    expect(sessionCookieOf(browser)).toBeUndefined();
  });

  it("refuses a replayed callback after a successful sign-in, without calling the provider", async () => {
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login");
    const binding = browser.cookies.get("rgw_signin") ?? "";
    const callback = await browser.authorizeAt("admin@example.com", toProvider);
    expect((await browser.request(callback)).status).toBe(200);
    const replayer = kit.newBrowser();
    replayer.cookies.set("rgw_signin", binding);
    const tokenCalls = kit.idp.tokenRequests.length;
    const replay = await replayer.request(callback);
    expect(replay.status).toBe(400);
    expect(sessionCookieOf(replayer)).toBeUndefined();
    expect(kit.idp.tokenRequests.length).toBe(tokenCalls);
    expect(await lastFailureReason()).toMatch(/unknown, expired or already used/);
  });

  it("refuses a callback after the attempt's ten minutes", async () => {
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login");
    const callback = await browser.authorizeAt("admin@example.com", toProvider);
    kit.advanceClock(11 * 60_000);
    const page = await browser.request(callback);
    expect(page.status).toBe(400);
    expect(sessionCookieOf(browser)).toBeUndefined();
  });
});
