// Threat: a session keeps working after its owner signed out (a copied cookie or token replayed).
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditEvents, type SignInHarness, sessionCookieOf, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("revokes the session server-side: a copy of the cookie is useless afterwards", async () => {
  const browser = kit.newBrowser();
  await browser.signIn("admin@example.com");
  const copied = sessionCookieOf(browser) ?? "";
  const sessionId = (
    JSON.parse((await browser.request("/api/v1/me", { headers: { accept: "application/json" } })).text) as {
      session: { id: string };
    }
  ).session.id;
  const out = await browser.request("/auth/logout", {
    method: "POST",
    headers: { origin: kit.gatewayUrl },
    form: { _csrf: await browser.csrfToken() },
  });
  expect(out.status).toBe(200);
  expect(
    out.headers.getSetCookie().some((line) => /^rgw_session=;/.test(line) && /Max-Age=0/i.test(line)),
  ).toBe(true);

  const thief = kit.newBrowser();
  thief.cookies.set("rgw_session", copied);
  expect((await thief.request("/api/v1/me", { headers: { accept: "application/json" } })).status).toBe(401);
  const page = await thief.request("/auth/device");
  expect(page.status).toBe(303);
  expect(page.location).toBe("/auth/login?return_to=%2Fauth%2Fdevice");
  expect((await kit.harness.gateway.deps.stores.sessions.findById(sessionId))?.revokedReason).toBe(
    "signed out",
  );
  const signout = (await auditEvents(kit, "signout")).at(-1);
  expect(signout?.detail).toMatchObject({ sessionId });
  expect(signout?.actor.email).toBe("admin@example.com");
});
