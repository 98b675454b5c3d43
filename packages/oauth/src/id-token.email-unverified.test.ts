// Threat: someone signs in with an email address they do not own, which the provider has not verified (email_verified false or absent).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import { generateNonce } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("email_verified", () => {
  it("refuses a full sign-in by a user whose email the provider marks unverified", async () => {
    provider.setAutoSelect("carol@example.com");
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    provider.setAutoSelect("alice@example.com");
    const result = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    expect(result).toMatchObject({ ok: false, code: "EMAIL_NOT_VERIFIED" });
  });

  it("accepts only the boolean true: not absent, false, the string 'true' or 1", async () => {
    const client = createClient(provider, clock);
    const nonce = generateNonce(random);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    expect((await client.verifyIdToken(await provider.mintIdToken(claims), { nonce })).ok).toBe(true);
    for (const value of [undefined, false, "true", 1, null]) {
      const token = await provider.mintIdToken({ ...claims, email_verified: value });
      expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
        ok: false,
        code: "EMAIL_NOT_VERIFIED",
      });
    }
  });
});
