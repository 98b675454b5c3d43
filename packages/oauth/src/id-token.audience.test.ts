// Threat: an ID token the provider issued to another application (another client_id) is replayed to the gateway to sign in as its subject.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ID, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import { generateNonce } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("audience", () => {
  const nonce = generateNonce(random);

  it("accepts aud equal to the client id, and refuses a token for another client", async () => {
    const client = createClient(provider, clock);
    const own = await provider.mintIdToken(provider.createIdTokenClaims("alice@example.com", { nonce }));
    expect((await client.verifyIdToken(own, { nonce })).ok).toBe(true);
    const other = await provider.mintIdToken(
      provider.createIdTokenClaims("alice@example.com", { nonce, audience: "some-other-app" }),
    );
    expect(await client.verifyIdToken(other, { nonce })).toMatchObject({
      ok: false,
      code: "AUDIENCE_MISMATCH",
    });
  });

  it("refuses a token without aud", async () => {
    const client = createClient(provider, clock);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const { aud: _aud, ...withoutAud } = claims;
    const token = await provider.mintIdToken(withoutAud);
    expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
  });

  it("with several audiences, requires azp to be this client (OIDC Core §3.1.3.7)", async () => {
    const client = createClient(provider, clock);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const shared = { ...claims, aud: ["some-other-app", CLIENT_ID] };
    const noAzp = await provider.mintIdToken(shared);
    const otherAzp = await provider.mintIdToken({ ...shared, azp: "some-other-app" });
    const ownAzp = await provider.mintIdToken({ ...shared, azp: CLIENT_ID });
    expect(await client.verifyIdToken(noAzp, { nonce })).toMatchObject({
      ok: false,
      code: "AUDIENCE_MISMATCH",
    });
    expect(await client.verifyIdToken(otherAzp, { nonce })).toMatchObject({
      ok: false,
      code: "AUDIENCE_MISMATCH",
    });
    expect((await client.verifyIdToken(ownAzp, { nonce })).ok).toBe(true);
  });

  it("refuses a single-audience token whose azp names another client", async () => {
    const client = createClient(provider, clock);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const token = await provider.mintIdToken({ ...claims, azp: "some-other-app" });
    expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
      ok: false,
      code: "AUDIENCE_MISMATCH",
    });
  });
});
