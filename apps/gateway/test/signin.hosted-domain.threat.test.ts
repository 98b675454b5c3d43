// Threat: an account of another Workspace (wrong `hd`) gets in because its email looks like ours.
import { afterAll, beforeAll, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses a token whose hd is not an allowed domain, even with an allowed email", async () => {
  kit.tamperIdTokens((claims) => ({ ...claims, hd: "evil.example" }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /DOMAIN_NOT_ALLOWED/);
});
