import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  createClock,
  REDIRECT_URI,
  random,
  startProvider,
} from "../test/sign-in-harness.js";
import type { FetchLike, GoogleClientOptions } from "./index.js";
import {
  createGoogleClient,
  createS256CodeChallenge,
  GOOGLE_ISSUER,
  GOOGLE_PROVIDER_METADATA,
  generateCodeVerifier,
  generateNonce,
  generateState,
} from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  // The fake speaks as Google; the fetch below routes Google's fixed URLs to it, so nothing leaves loopback.
  provider = await startProvider(clock, { issuer: GOOGLE_ISSUER });
});
afterAll(() => provider.close());

function createGoogleFetch(): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const routes = new Map([
    [GOOGLE_PROVIDER_METADATA.tokenEndpoint, provider.endpoints.token],
    [GOOGLE_PROVIDER_METADATA.jwksUri, provider.endpoints.jwks],
  ]);
  const googleFetch = async (request: Request) => {
    urls.push(request.url);
    const target = routes.get(request.url);
    if (target === undefined) throw new Error(`test fetch has no route for ${request.url}`);
    const body = request.method === "POST" ? await request.arrayBuffer() : null;
    return fetch(new Request(target, { method: request.method, headers: request.headers, body }));
  };
  return Object.assign(googleFetch, { urls });
}

function createGoogle(overrides: Partial<GoogleClientOptions> = {}) {
  return createGoogleClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    allowedDomains: ["example.com"],
    fetch: createGoogleFetch(),
    now: clock.now,
    ...overrides,
  });
}

async function signIn(email: string, overrides: Partial<GoogleClientOptions> = {}) {
  provider.setAutoSelect(email);
  const client = createGoogle(overrides);
  const state = generateState(random);
  const nonce = generateNonce(random);
  const codeVerifier = generateCodeVerifier(random);
  const url = await client.createAuthorizationRequest({ state, nonce, codeVerifier });
  const atFake = new URL(`${provider.endpoints.authorization}${url.search}`);
  const response = await fetch(atFake, { redirect: "manual" });
  const code = new URL(response.headers.get("location") ?? "").searchParams.get("code") ?? "";
  return client.completeSignIn({ code, codeVerifier, expectedNonce: nonce });
}

describe("createGoogleClient", () => {
  it("builds Google's authorization URL with PKCE S256, nonce and the hd hint for a single domain", async () => {
    const client = createGoogle();
    const codeVerifier = generateCodeVerifier(random);
    const nonce = generateNonce(random);
    const url = await client.createAuthorizationRequest({ state: "s".repeat(43), nonce, codeVerifier });
    expect(`${url.origin}${url.pathname}`).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: "s".repeat(43),
      code_challenge_method: "S256",
      code_challenge: createS256CodeChallenge(codeVerifier),
      scope: "openid email profile",
      hd: "example.com",
      nonce,
    });
    const twoDomains = createGoogle({ allowedDomains: ["example.com", "example.org"] });
    const multi = await twoDomains.createAuthorizationRequest({ state: "s".repeat(43), nonce, codeVerifier });
    expect(multi.searchParams.has("hd")).toBe(false);
  });

  it("signs in a Workspace user through Google's token and certs URLs, with no discovery request", async () => {
    const googleFetch = createGoogleFetch();
    const result = await signIn("alice@example.com", { fetch: googleFetch });
    expect(result).toMatchObject({
      ok: true,
      identity: {
        subject: "1001",
        email: "alice@example.com",
        hostedDomain: "example.com",
        issuer: GOOGLE_ISSUER,
      },
    });
    expect(googleFetch.urls).toEqual([
      GOOGLE_PROVIDER_METADATA.tokenEndpoint,
      GOOGLE_PROVIDER_METADATA.jwksUri,
    ]);
    expect(await createGoogle().discover()).toBe(GOOGLE_PROVIDER_METADATA);
  });

  it("always requires hd: a verified in-domain email without hd is refused", async () => {
    expect(await signIn("frank@example.com")).toMatchObject({ ok: false, code: "DOMAIN_NOT_ALLOWED" });
  });

  it("accepts Google's scheme-less issuer spelling and nothing else", async () => {
    const client = createGoogle();
    const nonce = generateNonce(random);
    const claims = provider.createIdTokenClaims("alice@example.com", { nonce });
    const bare = await provider.mintIdToken({ ...claims, iss: "accounts.google.com" });
    const lookalike = await provider.mintIdToken({
      ...claims,
      iss: "https://accounts.google.com.evil.example",
    });
    expect((await client.verifyIdToken(bare, { nonce })).ok).toBe(true);
    expect(await client.verifyIdToken(lookalike, { nonce })).toMatchObject({
      ok: false,
      code: "ISSUER_MISMATCH",
    });
  });
});
