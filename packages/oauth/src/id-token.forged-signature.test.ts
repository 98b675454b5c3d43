// Threat: an attacker forges an ID token — signed by a key the provider never published, unsigned (`alg: none`), HMAC-signed with the public key as secret, or edited after signing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import { generateNonce } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";
import { createTestSigningKey, mintHmacIdToken, mintIdToken, mintUnsignedIdToken } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("ID token signature", () => {
  const nonce = generateNonce(random);
  const claims = () => provider.createIdTokenClaims("alice@example.com", { nonce });

  it("accepts the provider's own signature (control)", async () => {
    const client = createClient(provider, clock);
    expect((await client.verifyIdToken(await provider.mintIdToken(claims()), { nonce })).ok).toBe(true);
  });

  it("refuses a token signed by an unpublished RS256 or ES256 key, with or without the provider's kid", async () => {
    const client = createClient(provider, clock);
    for (const alg of ["RS256", "ES256"] as const) {
      const attackerKey = await createTestSigningKey({ alg });
      const ownKid = await mintIdToken(claims(), attackerKey);
      const stolenKid = await mintIdToken(claims(), attackerKey, {
        header: { kid: provider.signingKey.kid },
      });
      expect(await client.verifyIdToken(ownKid, { nonce })).toMatchObject({
        ok: false,
        code: "INVALID_ID_TOKEN",
      });
      expect(await client.verifyIdToken(stolenKid, { nonce })).toMatchObject({
        ok: false,
        code: "INVALID_ID_TOKEN",
      });
    }
  });

  it("refuses alg none, with and without the provider's kid", async () => {
    const client = createClient(provider, clock);
    for (const header of [{}, { kid: provider.signingKey.kid }]) {
      const token = mintUnsignedIdToken(claims(), header);
      const result = await client.verifyIdToken(token, { nonce });
      expect(result).toMatchObject({ ok: false, code: "INVALID_ID_TOKEN" });
    }
  });

  it("refuses HS256 keyed with the provider's public key (algorithm confusion)", async () => {
    const client = createClient(provider, clock);
    const jwksText = JSON.stringify(provider.signingKey.publicJwk);
    const modulus = String(provider.signingKey.publicJwk.n);
    for (const secret of [jwksText, modulus, new TextEncoder().encode(modulus)]) {
      const token = await mintHmacIdToken(claims(), secret, { kid: provider.signingKey.kid });
      expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
        ok: false,
        code: "INVALID_ID_TOKEN",
      });
    }
  });

  it("refuses a genuine token whose payload was edited (another email) or whose signature was cut", async () => {
    const client = createClient(provider, clock);
    const genuine = await provider.mintIdToken(claims());
    const [header, , signature] = genuine.split(".");
    const edited = Buffer.from(JSON.stringify({ ...claims(), email: "mallory@example.com" })).toString(
      "base64url",
    );
    const forged = `${header}.${edited}.${signature}`;
    const cut = genuine.slice(0, genuine.lastIndexOf(".") + 1);
    expect(await client.verifyIdToken(forged, { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
    expect(await client.verifyIdToken(cut, { nonce })).toMatchObject({ ok: false, code: "INVALID_ID_TOKEN" });
    expect(await client.verifyIdToken("not.a.jwt", { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
    expect(await client.verifyIdToken("", { nonce })).toMatchObject({ ok: false, code: "INVALID_ID_TOKEN" });
  });
});
