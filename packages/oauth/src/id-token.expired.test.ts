// Threat: an old ID token (leaked from a log or a past session) is presented after it expired; clocks are injected so the check is exact.
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

function clientAt(offsetSeconds: number) {
  const at = clock.now().getTime() + offsetSeconds * 1000;
  return createClient(provider, clock, { now: () => new Date(at) });
}

describe("token lifetime", () => {
  const nonce = generateNonce(random);

  it("refuses a token past exp beyond the 60 s skew, accepts one within it", async () => {
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const iat = claims.iat ?? 0;
    const token = await provider.mintIdToken({ ...claims, exp: iat + 120 });
    expect((await clientAt(120 + 59).verifyIdToken(token, { nonce })).ok).toBe(true);
    expect(await clientAt(120 + 61).verifyIdToken(token, { nonce })).toMatchObject({
      ok: false,
      code: "ID_TOKEN_EXPIRED",
    });
  });

  it("refuses a token whose iat is older than maxIdTokenAgeSeconds even if exp is far away", async () => {
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const token = await provider.mintIdToken({ ...claims, exp: (claims.iat ?? 0) + 86_400 });
    expect((await clientAt(600).verifyIdToken(token, { nonce })).ok).toBe(true);
    expect(await clientAt(600 + 61).verifyIdToken(token, { nonce })).toMatchObject({
      ok: false,
      code: "ID_TOKEN_EXPIRED",
    });
  });

  it("refuses a token issued in the future (beyond skew) and one not yet valid (nbf)", async () => {
    const client = createClient(provider, clock);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const iat = claims.iat ?? 0;
    const future = await provider.mintIdToken({ ...claims, iat: iat + 120, exp: iat + 3600 });
    const notYet = await provider.mintIdToken({ ...claims, nbf: iat + 120 });
    expect(await client.verifyIdToken(future, { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
    expect(await client.verifyIdToken(notYet, { nonce })).toMatchObject({
      ok: false,
      code: "INVALID_ID_TOKEN",
    });
  });

  it("refuses tokens without exp or iat", async () => {
    const client = createClient(provider, clock);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    for (const missing of ["exp", "iat"]) {
      const token = await provider.mintIdToken({ ...claims, [missing]: undefined });
      expect(await client.verifyIdToken(token, { nonce })).toMatchObject({
        ok: false,
        code: "INVALID_ID_TOKEN",
      });
    }
  });

  it("a full sign-in whose callback is completed two hours late is refused", async () => {
    const trip = await authorize(createClient(provider, clock));
    const exchanger = createClient(provider, clock);
    const exchanged = await exchanger.exchangeCode(trip);
    if (!exchanged.ok) throw new Error(exchanged.message);
    const late = await clientAt(2 * 3600).verifyIdToken(exchanged.tokens.idToken, { nonce: trip.nonce });
    expect(late).toMatchObject({ ok: false, code: "ID_TOKEN_EXPIRED" });
  });
});
