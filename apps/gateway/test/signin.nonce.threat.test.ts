// Threat: a replayed or injected ID token whose nonce is missing or belongs to another sign-in is accepted.
import { afterAll, beforeAll, describe, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

describe("the ID token's nonce must be the one this sign-in sent", () => {
  it("refuses a token without a nonce", async () => {
    kit.tamperIdTokens(({ nonce: _dropped, ...claims }) => claims);
    await expectRefusedSignIn(kit, "admin@example.com", 403, /NONCE_MISMATCH/);
  });

  it("refuses a token carrying another sign-in's nonce", async () => {
    kit.tamperIdTokens((claims) => ({ ...claims, nonce: "bm9uY2Utb2YtYW5vdGhlci1zaWduLWluLWF0dGVtcHQ" }));
    await expectRefusedSignIn(kit, "admin@example.com", 403, /NONCE_MISMATCH/);
  });

  it("still signs in once the provider behaves", async () => {
    kit.tamperIdTokens(null);
    const page = await kit.newBrowser().signIn("admin@example.com");
    if (page.status !== 200) throw new Error(`expected a sign-in, got ${page.status}`);
  });
});
