/**
 * Sign-in test kit: a harness whose gateway signs people in at a fake OIDC provider on loopback, a shared
 * adjustable clock (gateway and provider), a provider that can be made to misbehave (ID token claims
 * rewritten and re-signed with its real key), and a cookie-jar "browser" that follows the flow by hand.
 */
import { createServer } from "node:net";
import { type FakeOidcProvider, type FakeOidcUser, startFakeOidcProvider } from "@rack-gateway/oauth/testing";
import { expect } from "vitest";
import { type Harness, startHarness } from "./harness.js";

export type Claims = Record<string, unknown>;

export const PEOPLE: readonly FakeOidcUser[] = [
  { sub: "1", email: "admin@example.com", name: "Ada Admin", hd: "example.com" },
  { sub: "2", email: "deployer@example.com", name: "Dee Deployer", hd: "example.com" },
  { sub: "3", email: "viewer@example.com", name: "Vic Viewer", hd: "example.com" },
  { sub: "4", email: "stranger@example.com", name: "Stan Stranger", hd: "example.com" },
  { sub: "5", email: "outsider@evil.example", name: "Oscar Outsider", hd: "evil.example" },
  { sub: "6", email: "unverified@example.com", name: "Una Unverified", emailVerified: false },
];

export interface SignInHarness {
  readonly harness: Harness;
  readonly idp: FakeOidcProvider;
  readonly gatewayUrl: string;
  /** The gateway's and the provider's clock (not the wall clock: it starts at a fixed instant). */
  now(): Date;
  /** Moves the gateway's and the provider's clock forward. */
  advanceClock(ms: number): void;
  /** From now on, rewrite every ID token the provider issues (null: stop). */
  tamperIdTokens(rewrite: ((claims: Claims) => Claims) | null): void;
  newBrowser(): TestBrowser;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

function decodeClaims(jwt: string): Claims {
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
}

const CLOCK_START_MS = Date.parse("2026-11-22T10:07:30.000Z");

export async function startSignInHarness(
  options: { env?: Record<string, string>; users?: readonly FakeOidcUser[] } = {},
): Promise<SignInHarness> {
  // The clock starts mid-way through a 15-minute window and moves with real time (plus advanceClock): rate limits
  // count in fixed windows, and a test that straddled a window boundary on the wall clock would see its count reset.
  let offsetMs = CLOCK_START_MS - Date.now();
  const now = () => new Date(Date.now() + offsetMs);
  let rewrite: ((claims: Claims) => Claims) | null = null;
  const idp = await startFakeOidcProvider({
    clientId: "rack-gateway-test",
    clientSecret: "test-client-secret",
    users: options.users ?? PEOPLE,
    now,
  });
  // A misbehaving provider: the real token response with its ID token's claims rewritten and re-signed.
  const tamperingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (rewrite === null || requestUrl(input) !== idp.endpoints.token || response.status !== 200)
      return response;
    const body = (await response.json()) as { id_token: string };
    body.id_token = await idp.mintIdToken(rewrite(decodeClaims(body.id_token)) as never);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
  // The gateway must know its own URL (the IdP redirects to it) before it listens, so a free port is picked
  // first; another process can take it in between, in which case a fresh port is tried.
  let started: Harness | undefined;
  let gatewayUrl = "";
  for (let attempt = 1; started === undefined; attempt++) {
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    try {
      started = await startHarness({
        env: {
          PORT: String(port),
          GATEWAY_URL: gatewayUrl,
          OIDC_ISSUER: idp.issuer,
          OIDC_CLIENT_ID: "rack-gateway-test",
          OIDC_CLIENT_SECRET: "test-client-secret",
          OIDC_ALLOWED_DOMAINS: "example.com",
          SECURE_COOKIES: "false",
          ADMIN_USERS: "admin@example.com",
          DEPLOYER_USERS: "deployer@example.com",
          VIEWER_USERS: "viewer@example.com,unverified@example.com",
          ...options.env,
        },
        gatewayOptions: { now, fetch: tamperingFetch },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 5) {
        await idp.close();
        throw error;
      }
    }
  }
  const harness = started;
  return {
    harness,
    idp,
    gatewayUrl,
    now,
    advanceClock(ms) {
      offsetMs += ms;
    },
    tamperIdTokens(next) {
      rewrite = next;
    },
    newBrowser: () => new TestBrowser(gatewayUrl, idp),
    async close() {
      await harness.close();
      await idp.close();
    },
  };
}

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly location: string | null;
}

/** A browser reduced to what sign-in needs: a cookie jar for the gateway and manual redirects. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly gatewayUrl: string,
    readonly idp: FakeOidcProvider,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(
    target: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      form?: Record<string, string>;
      json?: unknown;
    } = {},
  ): Promise<Page> {
    const url = new URL(target, this.gatewayUrl);
    const headers: Record<string, string> = { accept: "text/html", ...init.headers };
    const toGateway = url.origin === new URL(this.gatewayUrl).origin;
    if (toGateway && this.cookies.size > 0 && headers.cookie === undefined)
      headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const response = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      redirect: "manual",
      ...(body === undefined ? {} : { body }),
    });
    if (toGateway) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = "", ...attributes] = line.split(";");
        const separator = pair.indexOf("=");
        const name = pair.slice(0, separator).trim();
        const value = pair.slice(separator + 1).trim();
        const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
        if (expired || value === "") this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get("location"),
    };
  }

  /** `/auth/login` (or another start URL) → provider (auto-selecting `email`) → the callback's answer. */
  async signIn(email: string, start = "/auth/login"): Promise<Page> {
    const toProvider = await this.startAt(start);
    return this.finishAt(email, toProvider);
  }

  /** The first step only: the gateway's redirect to the provider. */
  async startAt(start: string): Promise<Page> {
    const page = await this.request(start);
    if (page.status !== 303 || !page.location?.startsWith(this.idp.url))
      throw new Error(`expected a redirect to the provider, got ${page.status}: ${page.text.slice(0, 300)}`);
    return page;
  }

  /** The provider signs `email` in and redirects back; returns the gateway's answer to that callback. */
  async finishAt(email: string, toProvider: Page): Promise<Page> {
    return this.request(await this.authorizeAt(email, toProvider));
  }

  /** The callback URL the provider sends the browser to, for `email`. */
  async authorizeAt(email: string, toProvider: Page): Promise<string> {
    this.idp.setAutoSelect(email);
    const atProvider = await fetch(toProvider.location ?? "", { redirect: "manual" });
    await atProvider.text();
    const callback = atProvider.headers.get("location");
    if (!callback) throw new Error(`the provider did not redirect back (${atProvider.status})`);
    return callback;
  }

  /** The CSRF token of this browser's session, as the SPA gets it. */
  async csrfToken(): Promise<string> {
    const me = await this.request("/api/v1/me", { headers: { accept: "application/json" } });
    return (JSON.parse(me.text) as { csrfToken: string }).csrfToken;
  }
}

export const sessionCookieOf = (browser: TestBrowser) => browser.cookies.get("rgw_session");

/** What both CLI flows answer once. */
export interface IssuedSession {
  token: string;
  session: { id: string; channel: string; deviceName: string };
  user: { id: string; email: string; name: string };
}

/** `POST /api/v1/auth/device`'s answer. */
export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** POSTs JSON to the gateway and reads the JSON answer as `T`. */
export async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** The `signin.failure` (or other) audit events, newest last. */
export async function auditEvents(kit: SignInHarness, action: string) {
  return (await kit.harness.auditRecords())
    .map((record) => record.event)
    .filter((event) => event.action === action);
}

/**
 * Signs `email` in through a fresh browser and asserts the gateway refused: the status, no session cookie,
 * nothing about the person's session in the page, and a `signin.failure` event whose reason matches.
 */
export async function expectRefusedSignIn(kit: SignInHarness, email: string, status: number, reason: RegExp) {
  const browser = kit.newBrowser();
  const before = (await auditEvents(kit, "signin.failure")).length;
  const page = await browser.signIn(email);
  expect(page.status).toBe(status);
  expect(sessionCookieOf(browser)).toBeUndefined();
  expect(page.text).not.toContain("http-equiv");
  const failures = await auditEvents(kit, "signin.failure");
  expect(failures).toHaveLength(before + 1);
  expect(failures.at(-1)?.reason).toMatch(reason);
  expect(failures.at(-1)?.decision).toBe("deny");
  return page;
}
