// Threat: an expired (or long-ago issued) ID token is replayed to sign in.
import { afterAll, beforeAll, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses an ID token past its exp", async () => {
  kit.tamperIdTokens((claims) => ({
    ...claims,
    iat: Number(claims.iat) - 7200,
    exp: Number(claims.iat) - 3600,
  }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /ID_TOKEN_EXPIRED/);
});

it("refuses an unexpired ID token issued too long ago", async () => {
  kit.tamperIdTokens((claims) => ({ ...claims, iat: Number(claims.iat) - 3600 }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /ID_TOKEN_EXPIRED|INVALID_ID_TOKEN/);
});
