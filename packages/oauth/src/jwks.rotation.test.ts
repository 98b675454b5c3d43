// Threat: key rotation either breaks sign-in (a new kid is never fetched) or lets forged kids make the gateway hammer the provider's JWKS endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  createClock,
  createLoopbackFetch,
  random,
  startProvider,
} from "../test/sign-in-harness.js";
import { generateNonce } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";
import { createTestSigningKey, mintIdToken } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("JWKS cache and rotation", () => {
  const nonce = generateNonce(random);
  const freshToken = () => provider.mintIdToken(provider.createIdTokenClaims("alice@example.com", { nonce }));

  it("fetches the new key once after rotation, then serves both from the cache", async () => {
    const loopbackFetch = createLoopbackFetch();
    const client = createClient(provider, clock, { fetch: loopbackFetch });
    const jwksFetches = () => loopbackFetch.urls.filter((url) => url === provider.endpoints.jwks).length;
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    expect(jwksFetches()).toBe(1);

    const oldKidToken = await freshToken();
    const newKid = await provider.rotateKeys();
    clock.advanceSeconds(31);
    const newKidToken = await freshToken();
    expect(newKidToken).not.toBe(oldKidToken);
    expect(provider.signingKey.kid).toBe(newKid);
    expect((await client.verifyIdToken(newKidToken, { nonce })).ok).toBe(true);
    expect(jwksFetches()).toBe(2);
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    expect((await client.verifyIdToken(oldKidToken, { nonce })).ok).toBe(true);
    expect(jwksFetches()).toBe(2);
  });

  it("refetches at most once per 30 s for unknown kids, however many forged tokens arrive", async () => {
    const loopbackFetch = createLoopbackFetch();
    const client = createClient(provider, clock, { fetch: loopbackFetch });
    const jwksFetches = () => loopbackFetch.urls.filter((url) => url === provider.endpoints.jwks).length;
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    clock.advanceSeconds(31);
    const attackerKey = await createTestSigningKey();
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    for (let index = 0; index < 10; index += 1) {
      const forged = await mintIdToken(claims, attackerKey, { header: { kid: `forged-${index}` } });
      expect(await client.verifyIdToken(forged, { nonce })).toMatchObject({
        ok: false,
        code: "INVALID_ID_TOKEN",
      });
    }
    expect(jwksFetches()).toBe(2);
  });

  it("refetches when the cache TTL has passed", async () => {
    const loopbackFetch = createLoopbackFetch();
    const client = createClient(provider, clock, { fetch: loopbackFetch, jwksCacheTtlSeconds: 120 });
    const jwksFetches = () => loopbackFetch.urls.filter((url) => url === provider.endpoints.jwks).length;
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    clock.advanceSeconds(100);
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    expect(jwksFetches()).toBe(1);
    clock.advanceSeconds(30);
    expect((await client.verifyIdToken(await freshToken(), { nonce })).ok).toBe(true);
    expect(jwksFetches()).toBe(2);
  });
});
