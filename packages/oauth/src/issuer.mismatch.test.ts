// Threat: tokens or metadata from another issuer are trusted — a discovery document naming a different issuer, or an ID token whose iss is not ours (IdP mix-up).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import type { FetchLike } from "./index.js";
import { generateNonce, OidcProviderError } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;
let otherProvider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
  otherProvider = await startProvider(clock);
});
afterAll(async () => {
  await provider.close();
  await otherProvider.close();
});

/** Serves the real discovery document with one field rewritten. */
function rewriteDiscovery(field: string, value: string): FetchLike {
  return async (request) => {
    const response = await fetch(request);
    if (!request.url.endsWith("/.well-known/openid-configuration")) return response;
    const document = { ...((await response.json()) as object), [field]: value };
    return new Response(JSON.stringify(document), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}

describe("issuer", () => {
  it("refuses a discovery document that names another issuer", async () => {
    const client = createClient(provider, clock, { fetch: rewriteDiscovery("issuer", otherProvider.issuer) });
    await expect(client.discover()).rejects.toThrow(OidcProviderError);
    await expect(client.discover()).rejects.toThrow(/names issuer/);
  });

  it("compares the issuer exactly: a trailing slash is another issuer", async () => {
    const client = createClient(provider, clock, { issuer: `${provider.issuer}/` });
    await expect(client.discover()).rejects.toThrow(OidcProviderError);
  });

  it("refuses discovery endpoints that are plain http off loopback", async () => {
    const client = createClient(provider, clock, {
      fetch: rewriteDiscovery("jwks_uri", "http://keys.evil.example/"),
    });
    await expect(client.discover()).rejects.toThrow(/jwks_uri/);
  });

  it("refuses an ID token signed by our provider's key but naming another issuer", async () => {
    const client = createClient(provider, clock);
    const nonce = generateNonce(random);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const token = await provider.mintIdToken({ ...claims, iss: otherProvider.issuer });
    const { iss: _iss, ...withoutIss } = claims;
    const noIss = await provider.mintIdToken(withoutIss);
    expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
      ok: false,
      code: "ISSUER_MISMATCH",
    });
    expect(await client.verifyIdToken(noIss, { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
  });

  it("refuses a code and token obtained from another provider (mix-up)", async () => {
    const victimClient = createClient(provider, clock);
    const trip = await authorize(createClient(otherProvider, clock));
    const otherClient = createClient(otherProvider, clock);
    const exchanged = await otherClient.exchangeCode(trip);
    if (!exchanged.ok) throw new Error(exchanged.message);
    const injected = await victimClient.verifyIdToken(exchanged.tokens.idToken, { nonce: trip.nonce });
    expect(injected).toMatchObject({ ok: false, code: "INVALID_ID_TOKEN" });
    const codeAtWrongProvider = await victimClient.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    expect(codeAtWrongProvider).toMatchObject({ ok: false, code: "TOKEN_EXCHANGE_FAILED" });
  });
});
