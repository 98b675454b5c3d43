import { afterAll, beforeAll, expect, it } from "vitest";
import { type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness({ env: { SECURE_COOKIES: "true" } });
});
afterAll(async () => kit?.close());

it("sets __Host- cookies: Secure, HttpOnly, Path=/, no Domain; Strict for the session, Lax for the binding", async () => {
  const browser = kit.newBrowser();
  const toProvider = await browser.startAt("/auth/login");
  const binding = toProvider.headers.getSetCookie().find((line) => line.startsWith("__Host-rgw_signin="));
  expect(binding).toMatch(/; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  const page = await browser.finishAt("viewer@example.com", toProvider);
  expect(page.status).toBe(200);
  const session = page.headers.getSetCookie().find((line) => line.startsWith("__Host-rgw_session="));
  expect(session).toMatch(
    /^__Host-rgw_session=rgws_[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
  );
  expect(session).not.toMatch(/Domain=/i);
  const me = await browser.request("/api/v1/me", { headers: { accept: "application/json" } });
  expect(me.status).toBe(200);
});
