// Threat: an identity provider account whose email only folds to a user's address (KELVIN SIGN "\u212Aate@…"
// lower-cases to "kate@…") signs in as that user.
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectRefusedSignIn, PEOPLE, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness({
    env: { VIEWER_USERS: "viewer@example.com,unverified@example.com,kate@example.com" },
    users: [...PEOPLE, { sub: "7", email: "kate@example.com", name: "Kate", hd: "example.com" }],
  });
});
afterAll(async () => kit?.close());

it("refuses an email that folds onto a user's address, and never starts a session for that user", async () => {
  // Another account at the provider (the fake one folds emails itself, so its ID token is rewritten instead).
  for (const email of ["\u212Aate@example.com", "ka\u0301te@example.com"]) {
    kit.tamperIdTokens((claims) => ({ ...claims, sub: "not-kate", email }));
    const page = await expectRefusedSignIn(kit, "kate@example.com", 403, /EMAIL_INVALID/);
    expect(page.text).toContain("email address");
  }
  kit.tamperIdTokens(null);
  const kate = await kit.harness.gateway.deps.stores.users.findByEmail("kate@example.com");
  expect(kate?.lastSignInAt).toBeNull();
});

it("still signs the real person in, in any ASCII case", async () => {
  const page = await kit.newBrowser().signIn("kate@example.com");
  expect(page.status, page.text).toBe(200);
  kit.tamperIdTokens((claims) => ({ ...claims, email: "KATE@Example.com" }));
  const upper = await kit.newBrowser().signIn("kate@example.com");
  kit.tamperIdTokens(null);
  expect(upper.status, upper.text).toBe(200);
});
