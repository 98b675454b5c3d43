import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, createClient, createClock, random, startProvider } from "../test/sign-in-harness.js";
import type { FetchLike } from "./index.js";
import { createOidcClient, generateNonce, OidcProviderError } from "./index.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock);
});
afterAll(() => provider.close());

/** Answers `status` with `body` for requests to `path`, passes everything else to the provider. */
function breakEndpoint(path: string, status: number, body: string): FetchLike {
  return async (request) =>
    new URL(request.url).pathname === path ? new Response(body, { status }) : fetch(request);
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("provider failures throw OidcProviderError", () => {
  it("an unreachable issuer", async () => {
    const client = createOidcClient({
      issuer: await closedPortUrl(),
      clientId: "c",
      clientSecret: "s",
      redirectUri: "http://127.0.0.1/cb",
      fetch,
      now: clock.now,
      allowedDomains: ["example.com"],
    });
    const failure = await client.discover().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OidcProviderError);
    expect((failure as OidcProviderError).status).toBe(undefined);
    expect((failure as OidcProviderError).cause).toBeDefined();
  });

  it("a discovery 404 and a non-JSON discovery body", async () => {
    const notFound = createClient(provider, clock, {
      fetch: breakEndpoint("/.well-known/openid-configuration", 404, "nope"),
    });
    await expect(notFound.discover()).rejects.toMatchObject({ name: "OidcProviderError", status: 404 });
    const html = createClient(provider, clock, {
      fetch: breakEndpoint("/.well-known/openid-configuration", 200, "<html>"),
    });
    await expect(html.discover()).rejects.toThrow(/non-JSON/);
  });

  it("a token endpoint 500, and a 200 without id_token", async () => {
    for (const [status, body, message] of [
      [500, "oops", /answered 500/],
      [200, JSON.stringify({ access_token: "a", token_type: "Bearer" }), /lacks id_token/],
    ] as const) {
      const client = createClient(provider, clock, { fetch: breakEndpoint("/token", status, body) });
      const trip = await authorize(client);
      await expect(client.completeSignIn({ ...trip, expectedNonce: trip.nonce })).rejects.toThrow(message);
    }
  });

  it("a JWKS endpoint that fails or serves garbage", async () => {
    const nonce = generateNonce(random);
    const token = await provider.mintIdToken(provider.createIdTokenClaims("alice@example.com", { nonce }));
    for (const [status, body] of [
      [503, "down"],
      [200, JSON.stringify({ keys: "nope" })],
    ] as const) {
      const client = createClient(provider, clock, { fetch: breakEndpoint("/jwks", status, body) });
      await expect(client.verifyIdToken(token, { nonce })).rejects.toBeInstanceOf(OidcProviderError);
    }
  });

  it("an unknown OAuth error body from the token endpoint is still a refused exchange", async () => {
    const client = createClient(provider, clock, { fetch: breakEndpoint("/token", 400, "{}") });
    const trip = await authorize(client);
    expect(await client.exchangeCode(trip)).toMatchObject({
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError: "unknown_error",
    });
  });
});
