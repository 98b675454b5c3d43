// Threat: /auth/cli/start is used to send a sign-in code to an attacker's host instead of the CLI's loopback listener.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const startUrl = (params: Record<string, string>) =>
  `/auth/cli/start?${new URLSearchParams({ code_challenge: challenge, code_challenge_method: "S256", state: "s", ...params })}`;

describe("only loopback redirect URIs (RFC 8252 §7.3)", () => {
  it.each([
    "https://evil.example:443/callback",
    "http://evil.example:8080/callback",
    "http://127.0.0.1.evil.example:8080/callback",
    "http://127.0.0.1:8080@evil.example/callback",
    "http://user@127.0.0.1:8080/callback",
    "http://localhost:8080/callback",
    "https://127.0.0.1:8080/callback",
    "http://127.0.0.1/callback",
    "http://0.0.0.0:8080/callback",
    "http://[::ffff:127.0.0.1]:8080/callback",
    "http://[::1]:8080/callback#fragment",
    "javascript:alert(1)//127.0.0.1:8080",
    "//127.0.0.1:8080/callback",
    "",
  ])("refuses %j with a page, never a redirect", async (redirectUri) => {
    const page = await kit.newBrowser().request(startUrl({ redirect_uri: redirectUri }));
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.text).toContain("redirect_uri must be http://127.0.0.1:PORT");
  });

  it.each([{ code_challenge_method: "plain" }, { code_challenge: "too-short" }, { state: "" }])(
    "refuses missing or weak PKCE and state: %j",
    async (override) => {
      const page = await kit
        .newBrowser()
        .request(startUrl({ redirect_uri: "http://127.0.0.1:8080/cb", ...override }));
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
    },
  );

  it.each(["http://127.0.0.1:8080/callback", "http://[::1]:8080/callback"])(
    "accepts %s",
    async (redirectUri) => {
      const page = await kit.newBrowser().request(startUrl({ redirect_uri: redirectUri }));
      expect(page.status).toBe(303);
      expect(page.location?.startsWith(kit.idp.url)).toBe(true);
    },
  );
});
