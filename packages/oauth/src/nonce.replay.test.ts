// Threat: an ID token obtained in another sign-in (or by the attacker) is injected into this one; the nonce binds the token to this browser's attempt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import { generateCodeVerifier, generateNonce, generateState } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("nonce", () => {
  it("refuses a sign-in whose ID token carries another attempt's nonce", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    const result = await client.completeSignIn({
      code: trip.code,
      codeVerifier: trip.codeVerifier,
      expectedNonce: generateNonce(random),
    });
    expect(result).toMatchObject({ ok: false, code: "NONCE_MISMATCH" });
  });

  it("refuses an ID token without a nonce (authorization request stripped of it)", async () => {
    const client = createClient(provider, clock);
    const codeVerifier = generateCodeVerifier(random);
    const nonce = generateNonce(random);
    const url = await client.createAuthorizationRequest({
      state: generateState(random),
      nonce,
      codeVerifier,
    });
    url.searchParams.delete("nonce");
    const response = await fetch(url, { redirect: "manual" });
    const code = new URL(response.headers.get("location") ?? "").searchParams.get("code") ?? "";
    expect(provider.issuedCodes.at(-1)?.nonce).toBe(null);
    const result = await client.completeSignIn({ code, codeVerifier, expectedNonce: nonce });
    expect(result).toMatchObject({ ok: false, code: "NONCE_MISMATCH" });
  });

  it("refuses a validly signed token replayed from an earlier sign-in", async () => {
    const client = createClient(provider, clock);
    const earlier = await authorize(client);
    const exchanged = await client.exchangeCode(earlier);
    if (!exchanged.ok) throw new Error(exchanged.message);
    expect((await client.verifyIdToken(exchanged.tokens.idToken, { nonce: earlier.nonce })).ok).toBe(true);
    const later = generateNonce(random);
    const replayed = await client.verifyIdToken(exchanged.tokens.idToken, { nonce: later });
    expect(replayed).toMatchObject({ ok: false, code: "NONCE_MISMATCH" });
  });

  it("refuses minted tokens with a missing, empty or non-string nonce", async () => {
    const client = createClient(provider, clock);
    const nonce = generateNonce(random);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    expect((await client.verifyIdToken(await provider.mintIdToken(claims), { nonce })).ok).toBe(true);
    for (const bad of [undefined, "", 42, [nonce]]) {
      const token = await provider.mintIdToken({ ...claims, nonce: bad });
      expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
        ok: false,
        code: "NONCE_MISMATCH",
      });
    }
  });

  it("treats a missing expected nonce as misuse", async () => {
    const client = createClient(provider, clock);
    const token = await provider.mintIdToken(provider.createIdTokenClaims("alice@example.com"));
    await expect(client.verifyIdToken(token, { nonce: "" })).rejects.toThrow(TypeError);
  });
});
