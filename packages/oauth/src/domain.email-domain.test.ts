// Threat: an outsider passes the domain restriction with an address that only looks in-domain (user@evil.com with hd=example.com, user@example.com.evil.com, subdomains, two @).
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

describe("email domain", () => {
  it.each([["mallory@evil.com"], ["trudy@example.com.evil.com"]])(
    "refuses a full sign-in as %s although hd is the allowed domain",
    async (email) => {
      provider.setAutoSelect(email);
      const client = createClient(provider, clock, { requireHostedDomain: true });
      const trip = await authorize(client);
      const result = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
      expect(result).toMatchObject({ ok: false, code: "DOMAIN_NOT_ALLOWED" });
    },
  );

  const cases: [email: unknown, code: string | null][] = [
    ["alice@example.com", null],
    ["ALICE@EXAMPLE.COM", null],
    ["alice@sub.example.com", "DOMAIN_NOT_ALLOWED"],
    ["alice@notexample.com", "DOMAIN_NOT_ALLOWED"],
    ["alice@example.com.", "DOMAIN_NOT_ALLOWED"],
    ["alice@evil.com@example.com", "DOMAIN_NOT_ALLOWED"],
    ["alice@example.com@evil.com", "DOMAIN_NOT_ALLOWED"],
    ["@example.com", "DOMAIN_NOT_ALLOWED"],
    ["alice@", "DOMAIN_NOT_ALLOWED"],
    ["alice", "DOMAIN_NOT_ALLOWED"],
    ["", "EMAIL_MISSING"],
    [undefined, "EMAIL_MISSING"],
    [["alice@example.com"], "EMAIL_MISSING"],
  ];

  it.each(cases)("email claim %j → %s", async (email, code) => {
    const client = createClient(provider, clock);
    const nonce = generateNonce(random);
    const claims = { ...provider.createIdTokenClaims("frank@example.com", { nonce }), email };
    const result = await client.verifyIdToken(await provider.mintIdToken(claims), { nonce });
    if (code === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code });
  });
});
