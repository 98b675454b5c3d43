// Threat: a person from outside the allowed email domains signs in.
import { afterAll, beforeAll, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses an out-of-domain account with a clear page", async () => {
  const page = await expectRefusedSignIn(kit, "outsider@evil.example", 403, /DOMAIN_NOT_ALLOWED/);
  if (!page.text.includes("not in a domain allowed")) throw new Error("the page should say why");
});

it("refuses look-alike domains the provider vouches for", async () => {
  kit.tamperIdTokens((claims) => ({ ...claims, email: "admin@example.com.evil.example", hd: undefined }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /DOMAIN_NOT_ALLOWED/);
  kit.tamperIdTokens((claims) => ({ ...claims, email: "admin@sub.example.com", hd: undefined }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /DOMAIN_NOT_ALLOWED/);
});
