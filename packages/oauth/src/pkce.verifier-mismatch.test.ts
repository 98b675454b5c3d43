// Threat: an authorization code stolen from the redirect (logs, referrer, a malicious app) is redeemed without the PKCE verifier (RFC 7636 §1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import { generateCodeVerifier } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("PKCE", () => {
  it("the token endpoint refuses a code redeemed with another verifier, and the code is then spent", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    const stolen = await client.completeSignIn({
      code: trip.code,
      codeVerifier: generateCodeVerifier(random),
      expectedNonce: trip.nonce,
    });
    expect(stolen).toMatchObject({
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError: "invalid_grant",
    });
    expect(provider.tokenRequests.at(-1)).toMatchObject({ outcome: "invalid_grant" });
    const legitimateLate = await client.completeSignIn({
      code: trip.code,
      codeVerifier: trip.codeVerifier,
      expectedNonce: trip.nonce,
    });
    expect(legitimateLate).toMatchObject({
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError: "invalid_grant",
    });
  });

  it("a code redeems once: a replayed callback is refused", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    const first = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    const replay = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    expect(first.ok).toBe(true);
    expect(replay).toMatchObject({
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError: "invalid_grant",
    });
  });

  it("a code expires: redeemed after the provider's code lifetime it is refused", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    clock.advanceSeconds(61);
    const late = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    expect(late).toMatchObject({ ok: false, code: "TOKEN_EXCHANGE_FAILED", providerError: "invalid_grant" });
  });

  it("the client never offers plain PKCE or omits it, and the fake provider refuses both", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    expect(trip.authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    for (const downgrade of ["plain", null]) {
      const url = new URL(trip.authorizationUrl);
      if (downgrade === null) {
        url.searchParams.delete("code_challenge_method");
        url.searchParams.delete("code_challenge");
      } else {
        url.searchParams.set("code_challenge_method", downgrade);
        url.searchParams.set("code_challenge", trip.codeVerifier);
      }
      const response = await fetch(url, { redirect: "manual" });
      const callback = new URL(response.headers.get("location") ?? "");
      expect(callback.searchParams.get("error")).toBe("invalid_request");
      expect(callback.searchParams.has("code")).toBe(false);
    }
  });

  it("refuses a malformed verifier at once, before anything is sent", async () => {
    const client = createClient(provider, clock);
    await expect(client.exchangeCode({ code: "abc", codeVerifier: "short" })).rejects.toThrow(RangeError);
  });

  it("an empty code from the browser is a refused sign-in, not a crash", async () => {
    const client = createClient(provider, clock);
    const result = await client.completeSignIn({
      code: "",
      codeVerifier: generateCodeVerifier(random),
      expectedNonce: "n".repeat(43),
    });
    expect(result).toMatchObject({ ok: false, code: "TOKEN_EXCHANGE_FAILED" });
  });
});
