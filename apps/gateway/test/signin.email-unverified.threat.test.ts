// Threat: someone registers an unverified email address at the provider and signs in as its owner.
import { afterAll, beforeAll, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses a provisioned email the provider reports as unverified", async () => {
  const page = await expectRefusedSignIn(kit, "unverified@example.com", 403, /EMAIL_NOT_VERIFIED/);
  if (!page.text.includes("not verified")) throw new Error("the page should say why");
});

it('refuses email_verified as the string "true"', async () => {
  kit.tamperIdTokens((claims) => ({ ...claims, email_verified: "true" }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /EMAIL_NOT_VERIFIED/);
});
