/** Shared set-up for tests: a fake provider, a client wired to it, and a scripted browser trip to /authorize. */
import { randomBytes } from "node:crypto";
import type { FetchLike, OidcClient, OidcClientOptions } from "../src/index.js";
import { createOidcClient, generateCodeVerifier, generateNonce, generateState } from "../src/index.js";
import type { FakeOidcProvider, FakeOidcProviderOptions, FakeOidcUser } from "../src/testing/index.js";
import { startFakeOidcProvider } from "../src/testing/index.js";

export const CLIENT_ID = "rack-gateway-test";
export const CLIENT_SECRET = "s3cret/with:odd&chars";
export const REDIRECT_URI = "http://127.0.0.1:8447/api/v1/auth/callback";
export const random = (byteCount: number): Uint8Array => new Uint8Array(randomBytes(byteCount));

export const USERS: readonly FakeOidcUser[] = [
  { sub: "1001", email: "alice@example.com", name: "Alice Admin", hd: "example.com" },
  { sub: "1002", email: "Bob@Example.com", name: "Bob Builder", hd: "example.com" },
  {
    sub: "1003",
    email: "carol@example.com",
    name: "Carol Unverified",
    hd: "example.com",
    emailVerified: false,
  },
  { sub: "1004", email: "dave@gmail.com", name: "Dave Personal" },
  { sub: "1005", email: "erin@example.com", name: "Erin Other Workspace", hd: "other.example" },
  { sub: "1006", email: "mallory@evil.com", name: "Mallory", hd: "example.com" },
  { sub: "1007", email: "trudy@example.com.evil.com", name: "Trudy", hd: "example.com" },
  { sub: "1008", email: "frank@example.com", name: "Frank No Hd" },
];

/** A settable clock shared by provider and client. */
export function createClock(start = new Date("2026-03-01T10:00:00Z")) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advanceSeconds(seconds: number) {
      current += seconds * 1000;
    },
  };
}

/** Global fetch restricted to loopback, recording each URL it was asked for. */
export function createLoopbackFetch(): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const loopbackFetch = async (request: Request) => {
    const url = new URL(request.url);
    if (url.hostname !== "127.0.0.1") throw new Error(`test fetch refuses non-loopback ${request.url}`);
    urls.push(request.url);
    return fetch(request);
  };
  return Object.assign(loopbackFetch, { urls });
}

export async function startProvider(
  clock: { now: () => Date },
  overrides: Partial<FakeOidcProviderOptions> = {},
): Promise<FakeOidcProvider> {
  return startFakeOidcProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    users: USERS,
    autoSelect: "alice@example.com",
    now: clock.now,
    ...overrides,
  });
}

export function createClient(
  provider: FakeOidcProvider,
  clock: { now: () => Date },
  overrides: Partial<OidcClientOptions> = {},
): OidcClient {
  return createOidcClient({
    issuer: provider.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    fetch: createLoopbackFetch(),
    now: clock.now,
    allowedDomains: ["example.com"],
    ...overrides,
  });
}

/** What the gateway keeps between redirect and callback, plus what came back on the callback. */
export interface AuthorizedTrip {
  state: string;
  nonce: string;
  codeVerifier: string;
  authorizationUrl: URL;
  callback: URL;
  code: string;
}

/** Follows the authorization URL like a browser would and reads the callback the provider redirects to. */
export async function authorize(
  client: OidcClient,
  extra: { loginHint?: string } = {},
): Promise<AuthorizedTrip> {
  const state = generateState(random);
  const nonce = generateNonce(random);
  const codeVerifier = generateCodeVerifier(random);
  const authorizationUrl = await client.createAuthorizationRequest({ state, nonce, codeVerifier, ...extra });
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (location === null) throw new Error(`authorize answered ${response.status} without a redirect`);
  const callback = new URL(location);
  const code = callback.searchParams.get("code");
  if (code === null) throw new Error(`authorize redirected without a code: ${location}`);
  return { state, nonce, codeVerifier, authorizationUrl, callback, code };
}
