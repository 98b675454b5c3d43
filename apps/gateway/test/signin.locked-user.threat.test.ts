// Threat: a locked account keeps signing in or keeps using the sessions it had.
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses a locked user's sign-in and their existing session", async () => {
  const browser = kit.newBrowser();
  expect((await browser.signIn("deployer@example.com")).status).toBe(200);
  const users = kit.harness.gateway.deps.stores.users;
  const user = await users.findByEmail("deployer@example.com");
  await users.lock(user?.id ?? "", "left the company", "test", new Date());

  const page = await expectRefusedSignIn(kit, "deployer@example.com", 403, /locked/);
  expect(page.text).toContain("Account locked");
  const me = await browser.request("/api/v1/me", { headers: { accept: "application/json" } });
  expect(me.status).toBe(401);
});
