import { describe, expect, it } from "vitest";
import type { OidcClientOptions } from "./index.js";
import { createOidcClient, createTokenRequest } from "./index.js";

const base: OidcClientOptions = {
  issuer: "https://login.example.okta.com",
  clientId: "client",
  clientSecret: "secret",
  redirectUri: "https://gateway.example.com/api/v1/auth/callback",
  fetch: () => Promise.reject(new Error("no network in this test")),
  now: () => new Date("2026-03-01T10:00:00Z"),
  allowedDomains: ["example.com"],
};

describe("createOidcClient misuse", () => {
  it.each<[string, Partial<OidcClientOptions>, RegExp]>([
    ["plain http issuer", { issuer: "http://login.example.com" }, /https URL/],
    ["issuer with query", { issuer: "https://login.example.com/?tenant=x" }, /without query/],
    ["no allowed domains", { allowedDomains: [] }, /at least one domain/],
    ["wildcard domain", { allowedDomains: ["*.example.com"] }, /bare domain/],
    ["email as domain", { allowedDomains: ["admin@example.com"] }, /bare domain/],
    ["dot-prefixed domain", { allowedDomains: [".example.com"] }, /bare domain/],
    ["scopes without openid", { scopes: ["email"] }, /openid/],
    ["scopes without email", { scopes: ["openid"] }, /email/],
    ["huge skew", { clockSkewSeconds: 3600 }, /clockSkewSeconds/],
    ["empty secret", { clientSecret: "" }, /clientSecret/],
  ])("throws on %s", (_name, override, message) => {
    expect(() => createOidcClient({ ...base, ...override })).toThrow(message);
  });

  it("accepts http issuers on loopback and normalizes domain case", () => {
    expect(() =>
      createOidcClient({ ...base, issuer: "http://127.0.0.1:9000", allowedDomains: [" Example.COM "] }),
    ).not.toThrow();
  });

  it("refuses short state or nonce before any request", async () => {
    const client = createOidcClient(base);
    const valid = { state: "s".repeat(43), nonce: "n".repeat(43), codeVerifier: "v".repeat(43) };
    await expect(client.createAuthorizationRequest({ ...valid, state: "abc" })).rejects.toThrow(
      /generateState/,
    );
    await expect(client.createAuthorizationRequest({ ...valid, nonce: "abc" })).rejects.toThrow(
      /generateNonce/,
    );
  });
});

describe("createTokenRequest", () => {
  const options = {
    tokenEndpoint: "https://idp.example.com/token",
    clientId: "client id",
    clientSecret: "s:e/c%r+t",
    redirectUri: "https://gateway.example.com/cb",
    code: "the-code",
    codeVerifier: "v".repeat(43),
  };

  it("form-encodes the client credentials inside Basic (RFC 6749 §2.3.1)", async () => {
    const request = createTokenRequest({ ...options, authMethod: "client_secret_basic" });
    expect(request.method).toBe("POST");
    expect(request.url).toBe(options.tokenEndpoint);
    const basic = Buffer.from((request.headers.get("authorization") ?? "").slice(6), "base64").toString();
    expect(basic).toBe("client+id:s%3Ae%2Fc%25r%2Bt");
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({
      grant_type: "authorization_code",
      code: "the-code",
      redirect_uri: options.redirectUri,
      code_verifier: options.codeVerifier,
    });
  });

  it("puts the credentials in the body for client_secret_post", async () => {
    const request = createTokenRequest({ ...options, authMethod: "client_secret_post" });
    expect(request.headers.has("authorization")).toBe(false);
    const body = new URLSearchParams(await request.text());
    expect([body.get("client_id"), body.get("client_secret")]).toEqual([
      options.clientId,
      options.clientSecret,
    ]);
  });
});
