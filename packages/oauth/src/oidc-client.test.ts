import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorize,
  CLIENT_ID,
  createClient,
  createClock,
  createLoopbackFetch,
  REDIRECT_URI,
  startProvider,
} from "../test/sign-in-harness.js";
import { createS256CodeChallenge, verifyState } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

describe("createOidcClient against the fake provider", () => {
  it("signs a person in: authorization URL, callback, code exchange, verified identity", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);

    const sent = trip.authorizationUrl.searchParams;
    expect(`${trip.authorizationUrl.origin}${trip.authorizationUrl.pathname}`).toBe(
      provider.endpoints.authorization,
    );
    expect(sent.get("response_type")).toBe("code");
    expect(sent.get("client_id")).toBe(CLIENT_ID);
    expect(sent.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(sent.get("scope")).toBe("openid email profile");
    expect(sent.get("code_challenge_method")).toBe("S256");
    expect(sent.get("code_challenge")).toBe(createS256CodeChallenge(trip.codeVerifier));
    expect(sent.get("nonce")).toBe(trip.nonce);
    expect(sent.has("code_verifier")).toBe(false);
    expect(verifyState(trip.state, trip.callback.searchParams.get("state"))).toBe(true);
    expect(trip.callback.searchParams.get("iss")).toBe(provider.issuer);

    const result = await client.completeSignIn({
      code: trip.code,
      codeVerifier: trip.codeVerifier,
      expectedNonce: trip.nonce,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.identity).toEqual({
      subject: "1001",
      email: "alice@example.com",
      name: "Alice Admin",
      emailVerified: true,
      hostedDomain: "example.com",
      issuer: provider.issuer,
    });
    expect(result.tokens.tokenType).toBe("Bearer");
    expect(result.tokens.scopes).toEqual(["openid", "email", "profile"]);
    expect(result.tokens.accessTokenExpiresInSeconds).toBe(3600);
    const userinfo = await fetch(provider.endpoints.userinfo, {
      headers: { authorization: `Bearer ${result.tokens.accessToken}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: "1001", email: "alice@example.com" });
  });

  it("lower-cases the email and accepts a provider without hd when hd is not required", async () => {
    provider.setAutoSelect("Bob@Example.com");
    const bob = await authorize(createClient(provider, clock));
    provider.setAutoSelect("frank@example.com");
    const frank = await authorize(createClient(provider, clock));
    provider.setAutoSelect("alice@example.com");
    const client = createClient(provider, clock);
    const bobResult = await client.completeSignIn({ ...bob, expectedNonce: bob.nonce });
    const frankResult = await client.completeSignIn({ ...frank, expectedNonce: frank.nonce });
    expect(bobResult.ok && bobResult.identity.email).toBe("bob@example.com");
    expect(frankResult.ok && frankResult.identity.hostedDomain).toBe(null);
  });

  it("sends every request through the injected fetch: discovery, token, JWKS", async () => {
    const loopbackFetch = createLoopbackFetch();
    const client = createClient(provider, clock, { fetch: loopbackFetch });
    const trip = await authorize(client);
    await client.completeSignIn({
      code: trip.code,
      codeVerifier: trip.codeVerifier,
      expectedNonce: trip.nonce,
    });
    expect(loopbackFetch.urls).toEqual([
      provider.endpoints.discovery,
      provider.endpoints.token,
      provider.endpoints.jwks,
    ]);
  });

  it("authenticates with client_secret_basic by default and client_secret_post on request", async () => {
    for (const method of ["client_secret_basic", "client_secret_post"] as const) {
      const client = createClient(provider, clock, { tokenEndpointAuthMethod: method });
      const trip = await authorize(client);
      const request = await client.createTokenRequest(trip);
      const body = new URLSearchParams(await request.clone().text());
      expect(request.headers.has("authorization")).toBe(method === "client_secret_basic");
      expect(body.has("client_secret")).toBe(method === "client_secret_post");
      expect(body.get("code_verifier")).toBe(trip.codeVerifier);
      const result = await client.exchangeCode(trip);
      expect(result.ok).toBe(true);
      expect(provider.tokenRequests.at(-1)).toEqual({ authMethod: method, outcome: "issued" });
    }
  });

  it("passes login_hint and prompt through and caches discovery", async () => {
    const loopbackFetch = createLoopbackFetch();
    const client = createClient(provider, clock, { fetch: loopbackFetch });
    const first = await client.discover();
    const url = await client.createAuthorizationRequest({
      state: "s".repeat(43),
      nonce: "n".repeat(43),
      codeVerifier: "v".repeat(43),
      loginHint: "alice@example.com",
      prompt: "select_account",
    });
    expect(url.searchParams.get("login_hint")).toBe("alice@example.com");
    expect(url.searchParams.get("prompt")).toBe("select_account");
    expect(first.tokenEndpoint).toBe(provider.endpoints.token);
    expect(loopbackFetch.urls).toEqual([provider.endpoints.discovery]);
  });
});
