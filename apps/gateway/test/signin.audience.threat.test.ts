// Threat: an ID token minted for another application (another `aud`) signs someone in here.
import { afterAll, beforeAll, it } from "vitest";
import { expectRefusedSignIn, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses an ID token issued to another client", async () => {
  kit.tamperIdTokens((claims) => ({ ...claims, aud: "some-other-app" }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /AUDIENCE_MISMATCH/);
});

it("refuses a token for several audiences whose azp is another client", async () => {
  kit.tamperIdTokens((claims) => ({
    ...claims,
    aud: ["some-other-app", "rack-gateway-test"],
    azp: "some-other-app",
  }));
  await expectRefusedSignIn(kit, "admin@example.com", 403, /AUDIENCE_MISMATCH/);
});
