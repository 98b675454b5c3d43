// Threat: an account outside the company's Google Workspace (another Workspace, or a personal Gmail) signs in because only the email was checked.
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

async function signInAs(email: string, requireHostedDomain: boolean, allowedDomains = ["example.com"]) {
  provider.setAutoSelect(email);
  const client = createClient(provider, clock, { requireHostedDomain, allowedDomains });
  const trip = await authorize(client);
  return client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
}

describe("hd (hosted domain)", () => {
  it("refuses a verified example.com address whose hd is another Workspace", async () => {
    const result = await signInAs("erin@example.com", true);
    expect(result).toMatchObject({ ok: false, code: "DOMAIN_NOT_ALLOWED" });
    expect(result.ok || result.message).toContain("other.example");
  });

  it("checks hd when present even if it is not required", async () => {
    expect(await signInAs("erin@example.com", false)).toMatchObject({
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
    });
  });

  it("refuses accounts without hd when hd is required (personal Gmail, or an email-only provider)", async () => {
    expect(await signInAs("dave@gmail.com", true, ["gmail.com"])).toMatchObject({
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
    });
    expect(await signInAs("frank@example.com", true)).toMatchObject({
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
    });
    expect((await signInAs("frank@example.com", false)).ok).toBe(true);
  });

  it("accepts hd and email each in the allowed list (a secondary domain of the same Workspace)", async () => {
    const client = createClient(provider, clock, {
      requireHostedDomain: true,
      allowedDomains: ["example.com", "example.org"],
    });
    const nonce = generateNonce(random);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const secondary = await provider.mintIdToken({
      ...claims,
      email: "alice@example.org",
      hd: "example.com",
    });
    const wrongHd = await provider.mintIdToken({ ...claims, hd: "example.net" });
    const hdNotString = await provider.mintIdToken({ ...claims, hd: ["example.com"] });
    const upperHd = await provider.mintIdToken({ ...claims, hd: "EXAMPLE.COM" });
    expect(await client.verifyIdToken(secondary, { nonce })).toMatchObject({
      ok: true,
      identity: { email: "alice@example.org", hostedDomain: "example.com" },
    });
    expect(await client.verifyIdToken(wrongHd, { nonce })).toMatchObject({
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
    });
    expect(await client.verifyIdToken(hdNotString, { nonce })).toMatchObject({
      ok: false,
      code: "DOMAIN_NOT_ALLOWED",
    });
    expect((await client.verifyIdToken(upperHd, { nonce })).ok).toBe(true);
  });
});
