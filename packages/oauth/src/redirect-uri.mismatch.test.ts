// Threat: a code issued for one redirect URI is redeemed through another (code injection via an attacker-controlled or open redirect).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, CLIENT_ID, createClient, createClock, startProvider } from "../test/sign-in-harness.js";
import type { FakeOidcProvider } from "./testing/index.js";

const clock = createClock();
const OTHER_REDIRECT = "http://127.0.0.1:9999/evil/callback";
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock, {
    redirectUris: ["http://127.0.0.1:8447/api/v1/auth/callback", OTHER_REDIRECT],
  });
});
afterAll(() => provider.close());

describe("redirect URI", () => {
  it("the token endpoint refuses a code redeemed with a redirect_uri other than the authorize one", async () => {
    const trip = await authorize(createClient(provider, clock, { redirectUri: OTHER_REDIRECT }));
    const client = createClient(provider, clock);
    const result = await client.completeSignIn({ ...trip, expectedNonce: trip.nonce });
    expect(result).toMatchObject({
      ok: false,
      code: "TOKEN_EXCHANGE_FAILED",
      providerError: "invalid_grant",
    });
  });

  it("the authorize endpoint never redirects to an unregistered URI", async () => {
    const client = createClient(provider, clock);
    const trip = await authorize(client);
    for (const redirect of [
      "http://127.0.0.1:8447/api/v1/auth/callback/../../evil",
      "https://evil.example/cb",
    ]) {
      const url = new URL(trip.authorizationUrl);
      url.searchParams.set("redirect_uri", redirect);
      const response = await fetch(url, { redirect: "manual" });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBe(null);
      expect(await response.text()).toContain("not registered");
    }
    const unknownClient = new URL(trip.authorizationUrl);
    unknownClient.searchParams.set("client_id", `${CLIENT_ID}-other`);
    expect((await fetch(unknownClient, { redirect: "manual" })).status).toBe(400);
  });
});
