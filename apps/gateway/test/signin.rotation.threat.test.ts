// Threat: session fixation — a session that existed before sign-in (planted or left over) survives it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type SignInHarness, sessionCookieOf, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

const meOf = async (cookie: string) =>
  fetch(`${kit.gatewayUrl}/api/v1/me`, { headers: { cookie: `rgw_session=${cookie}` } });

it("always issues a new session and revokes the one the browser had", async () => {
  const browser = kit.newBrowser();
  await browser.signIn("viewer@example.com");
  const before = sessionCookieOf(browser) ?? "";
  // Signing in again from a signed-in browser (same-site, so the Strict cookie rides along to /auth/login).
  await browser.signIn("admin@example.com");
  const after = sessionCookieOf(browser) ?? "";
  expect(after).not.toBe(before);
  expect((await meOf(before)).status).toBe(401);
  const me = (await (await meOf(after)).json()) as { user: { email: string } };
  expect(me.user.email).toBe("admin@example.com");
});

it("never adopts a planted session: the victim gets a fresh one and the attacker's ends", async () => {
  const attacker = kit.newBrowser();
  await attacker.signIn("viewer@example.com");
  const planted = sessionCookieOf(attacker) ?? "";
  const victim = kit.newBrowser();
  victim.cookies.set("rgw_session", planted);
  await victim.signIn("deployer@example.com");
  const victimCookie = sessionCookieOf(victim) ?? "";
  expect(victimCookie).not.toBe(planted);
  expect((await meOf(planted)).status).toBe(401);
  expect((await meOf(victimCookie)).status).toBe(200);
});
