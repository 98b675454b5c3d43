import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  createClient,
  createClock,
  REDIRECT_URI,
  random,
  startProvider,
} from "../../test/sign-in-harness.js";
import { generateCodeVerifier, generateNonce, generateState } from "../index.js";
import type { FakeOidcProvider } from "./index.js";

const clock = createClock();
let provider: FakeOidcProvider;

beforeAll(async () => {
  provider = await startProvider(clock, { autoSelect: null });
});
afterAll(() => provider.close());

function authorizeUrl(extra: Record<string, string> = {}) {
  const codeVerifier = generateCodeVerifier(random);
  const url = new URL(provider.endpoints.authorization);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: "openid email",
    state: generateState(random),
    nonce: generateNonce(random),
    code_challenge_method: "S256",
    code_challenge: createHash("sha256").update(codeVerifier).digest("base64url"),
    ...extra,
  })) {
    url.searchParams.set(name, value);
  }
  return { url, codeVerifier };
}

function tokenForm(code: string, codeVerifier: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: codeVerifier,
    ...extra,
  });
}

async function pickUser(email: string) {
  const { url, codeVerifier } = authorizeUrl();
  const page = await (await fetch(url)).text();
  const requestId = /name="request" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const response = await fetch(`${provider.url}/authorize/select`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request: requestId, email }),
    redirect: "manual",
  });
  return { response, url, codeVerifier, requestId };
}

describe("startFakeOidcProvider", () => {
  it("serves discovery with its own issuer and endpoints on 127.0.0.1", async () => {
    const document = await (await fetch(provider.endpoints.discovery)).json();
    expect(provider.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(document).toMatchObject({
      issuer: provider.issuer,
      token_endpoint: provider.endpoints.token,
      jwks_uri: provider.endpoints.jwks,
      code_challenge_methods_supported: ["S256"],
    });
    const jwks = (await (await fetch(provider.endpoints.jwks)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([provider.signingKey.kid]);
    expect(jwks.keys[0]?.d).toBe(undefined);
  });

  it("shows an HTML picker listing every user, escaped, when nothing is auto-selected", async () => {
    const { url } = authorizeUrl();
    const response = await fetch(url);
    const page = await response.text();
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(page).toContain('data-email="alice@example.com"');
    expect(page).toContain("Bob Builder &lt;Bob@Example.com&gt;");
    expect(page.match(/<form method="post"/g)).toHaveLength(8);
  });

  it("completes the redirect from a picker choice, once, carrying state and iss", async () => {
    const { response, url, codeVerifier, requestId } = await pickUser("bob@example.com");
    expect(response.status).toBe(303);
    const callback = new URL(response.headers.get("location") ?? "");
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe(url.searchParams.get("state"));
    expect(callback.searchParams.get("iss")).toBe(provider.issuer);
    expect(provider.issuedCodes.at(-1)).toMatchObject({ email: "Bob@Example.com", redeemed: false });
    const again = await fetch(`${provider.url}/authorize/select`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request: requestId, email: "alice@example.com" }),
      redirect: "manual",
    });
    expect(again.status).toBe(400);
    const client = createClient(provider, clock);
    const exchanged = await client.exchangeCode({
      code: callback.searchParams.get("code") ?? "",
      codeVerifier,
    });
    expect(exchanged.ok).toBe(true);
  });

  it("auto-selects after setAutoSelect, and denies an unknown user", async () => {
    provider.setAutoSelect("alice@example.com");
    const auto = await fetch(authorizeUrl().url, { redirect: "manual" });
    expect(new URL(auto.headers.get("location") ?? "").searchParams.has("code")).toBe(true);
    provider.setAutoSelect("nobody@example.com");
    const denied = await fetch(authorizeUrl().url, { redirect: "manual" });
    expect(new URL(denied.headers.get("location") ?? "").searchParams.get("error")).toBe("access_denied");
    provider.setAutoSelect(null);
  });

  it("refuses wrong client credentials, two auth methods at once, and other grant types", async () => {
    const { response, codeVerifier } = await pickUser("alice@example.com");
    const code = new URL(response.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const post = (headers: Record<string, string>, body: URLSearchParams) =>
      fetch(provider.endpoints.token, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
    const basic = (secret: string) => `Basic ${Buffer.from(`${CLIENT_ID}:${secret}`).toString("base64")}`;
    const wrongSecret = await post({ authorization: basic("wrong") }, tokenForm(code, codeVerifier));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get("www-authenticate")).toContain("Basic");
    const noAuth = await post({}, tokenForm(code, codeVerifier, { client_id: CLIENT_ID }));
    expect(await noAuth.json()).toMatchObject({ error: "invalid_client" });
    const both = await post(
      { authorization: basic(encodeURIComponent(CLIENT_SECRET)) },
      tokenForm(code, codeVerifier, { client_secret: CLIENT_SECRET }),
    );
    expect(await both.json()).toMatchObject({ error: "invalid_request" });
    const refresh = await post(
      {},
      tokenForm(code, codeVerifier, {
        grant_type: "refresh_token",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    );
    expect(await refresh.json()).toMatchObject({ error: "unsupported_grant_type" });
    expect(provider.issuedCodes.find((entry) => entry.code === code)?.redeemed).toBe(false);
  });

  it("answers userinfo for a bearer token it issued, 401 otherwise", async () => {
    const { response, codeVerifier } = await pickUser("alice@example.com");
    const code = new URL(response.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const client = createClient(provider, clock);
    const exchanged = await client.exchangeCode({ code, codeVerifier });
    if (!exchanged.ok) throw new Error(exchanged.message);
    const info = await fetch(provider.endpoints.userinfo, {
      headers: { authorization: `Bearer ${exchanged.tokens.accessToken}` },
    });
    expect(await info.json()).toEqual({
      sub: "1001",
      email: "alice@example.com",
      email_verified: true,
      name: "Alice Admin",
      hd: "example.com",
    });
    const bad = await fetch(provider.endpoints.userinfo, { headers: { authorization: "Bearer nope" } });
    expect(bad.status).toBe(401);
  });

  it("lists the previous key beside the new one after rotateKeys", async () => {
    const before = provider.signingKey.kid;
    const after = await provider.rotateKeys();
    const jwks = (await (await fetch(provider.endpoints.jwks)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([after, before]);
  });
});
