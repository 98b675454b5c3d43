import { createS256CodeChallenge } from "@rack-gateway/oauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basicAuth } from "./harness.js";
import {
  type DeviceStart,
  type IssuedSession,
  type OAuthErrorBody,
  type SignInHarness,
  sessionCookieOf,
  startSignInHarness,
} from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

describe("browser sign-in", () => {
  it("signs a provisioned person in with a Strict, HttpOnly session cookie and a same-site hop", async () => {
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login?return_to=%2Fapi%2Fv1%2Fme");
    const authorize = new URL(toProvider.location ?? "");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${kit.gatewayUrl}/auth/callback`);
    expect(authorize.searchParams.get("nonce")?.length).toBeGreaterThanOrEqual(43);
    const binding = toProvider.headers.getSetCookie().find((line) => line.startsWith("rgw_signin="));
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Lax/i);

    const page = await browser.finishAt("admin@example.com", toProvider);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<meta http-equiv="refresh" content="0;url=/api/v1/me">');
    const cookie = page.headers.getSetCookie().find((line) => line.startsWith("rgw_session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//i);
    expect(browser.cookies.has("rgw_signin")).toBe(false);

    const me = await browser.request("/api/v1/me", { headers: { accept: "application/json" } });
    expect(me.status).toBe(200);
    const body = JSON.parse(me.text);
    expect(body.user.email).toBe("admin@example.com");
    expect(body.session.channel).toBe("web");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");

    const success = (await kit.harness.auditRecords()).filter(
      (record) => record.event.action === "signin.success",
    );
    expect(success.at(-1)?.event.detail).toMatchObject({
      channel: "web",
      method: "browser",
      sessionId: body.session.id,
    });
    expect(success.at(-1)?.event.actor.email).toBe("admin@example.com");
  });

  it("shows the signed-in person and a sign-out form on /auth/done", async () => {
    const browser = kit.newBrowser();
    await browser.signIn("viewer@example.com");
    const done = await browser.request("/auth/done");
    expect(done.text).toContain("viewer@example.com");
    expect(done.text).toContain(`name="_csrf" value="${await browser.csrfToken()}"`);
    expect(done.text).not.toContain("<script");
  });
});

describe("CLI loopback sign-in (RFC 8252 + PKCE)", () => {
  it("hands the CLI a one-time code that only the verifier's holder can redeem, once", async () => {
    const browser = kit.newBrowser();
    const start = `/auth/cli/start?${new URLSearchParams({
      redirect_uri: "http://127.0.0.1:48123/callback",
      code_challenge: createS256CodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "cli-state-123",
      device_name: "ada's laptop",
    })}`;
    const answer = await browser.signIn("deployer@example.com", start);
    expect(answer.status).toBe(303);
    const back = new URL(answer.location ?? "");
    expect(back.origin).toBe("http://127.0.0.1:48123");
    expect(back.searchParams.get("state")).toBe("cli-state-123");
    const code = back.searchParams.get("code") ?? "";
    expect(sessionCookieOf(browser)).toBeUndefined();

    const exchange = await fetch(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, code_verifier: verifier }),
    });
    expect(exchange.status).toBe(200);
    const issued = (await exchange.json()) as IssuedSession;
    expect(issued.user.email).toBe("deployer@example.com");
    expect(issued.session).toMatchObject({ channel: "cli", deviceName: "ada's laptop" });
    expect(issued.token).toMatch(/^rgws_/);

    const apps = await kit.harness.rackRequest(issued.token, "GET", "/apps");
    expect(apps.status).toBe(200);
    const sessions = await fetch(`${kit.gatewayUrl}/api/v1/me/sessions`, {
      headers: { authorization: basicAuth(issued.token) },
    });
    const listed = ((await sessions.json()) as { sessions: { deviceName: string }[] }).sessions;
    expect(listed.map((session) => session.deviceName)).toContain("ada's laptop");

    const again = await fetch(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, code_verifier: verifier }),
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as OAuthErrorBody).error).toBe("invalid_grant");
  });

  it("shows the return-to-your-terminal page", async () => {
    const page = await kit.newBrowser().request("/auth/done?flow=cli");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Return to your terminal");
  });
});

describe("device-code sign-in (RFC 8628)", () => {
  it("issues codes, lets a signed-in person approve with the form, and hands out the token once", async () => {
    const started = await fetch(`${kit.gatewayUrl}/api/v1/auth/device`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ device_name: "build box <b>" }),
    });
    expect(started.status).toBe(200);
    const device = (await started.json()) as DeviceStart;
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(device).toMatchObject({
      verification_uri: `${kit.gatewayUrl}/auth/device`,
      expires_in: 600,
      interval: 5,
    });
    expect(device.verification_uri_complete).toBe(
      `${kit.gatewayUrl}/auth/device?user_code=${device.user_code}`,
    );

    const poll = () =>
      fetch(`${kit.gatewayUrl}/api/v1/auth/device/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ device_code: device.device_code }),
      });
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect(await pending.json()).toMatchObject({ error: "authorization_pending" });

    const browser = kit.newBrowser();
    // Not signed in: the guard sends the browser to sign in and back.
    const redirected = await browser.request(
      `/auth/device?user_code=${device.user_code.toLowerCase().replace("-", "")}`,
    );
    expect(redirected.status).toBe(303);
    expect(redirected.location).toMatch(/^\/auth\/login\?return_to=%2Fauth%2Fdevice%3Fuser_code%3D/);
    const signedIn = await browser.signIn("viewer@example.com", redirected.location ?? "");
    expect(signedIn.text).toContain("url=/auth/device?user_code=");
    const approval = await browser.request(`/auth/device?user_code=${device.user_code.toLowerCase()}`);
    expect(approval.status).toBe(200);
    expect(approval.text).toContain(device.user_code);
    expect(approval.text).toContain("build box &lt;b&gt;");
    expect(approval.text).not.toContain("<b>");

    kit.advanceClock(5_000);
    const approved = await browser.request("/auth/device", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await browser.csrfToken(), user_code: device.user_code, decision: "approve" },
    });
    expect(approved.status).toBe(200);
    expect(approved.text).toContain("Device approved");

    const issued = await poll();
    expect(issued.status).toBe(200);
    const body = (await issued.json()) as IssuedSession;
    expect(body.user.email).toBe("viewer@example.com");
    expect(body.session).toMatchObject({ channel: "cli", deviceName: "build box <b>" });
    expect((await kit.harness.rackRequest(body.token, "GET", "/apps")).status).toBe(200);
    const approvals = (await kit.harness.auditRecords()).filter(
      (r) => r.event.action === "signin.device.approve",
    );
    expect(approvals).toHaveLength(1);
  });
});

describe("logout", () => {
  it("revokes the session server-side and clears the cookie", async () => {
    const browser = kit.newBrowser();
    await browser.signIn("viewer@example.com");
    const cookie = sessionCookieOf(browser);
    const page = await browser.request("/auth/logout", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await browser.csrfToken() },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Signed out");
    expect(sessionCookieOf(browser)).toBeUndefined();
    const reuse = await fetch(`${kit.gatewayUrl}/api/v1/me`, {
      headers: { cookie: `rgw_session=${cookie}` },
    });
    expect(reuse.status).toBe(401);
  });

  it("signs a CLI session out through its Authorization header", async () => {
    const start = `/auth/cli/start?${new URLSearchParams({
      redirect_uri: "http://[::1]:48124/cb",
      code_challenge: createS256CodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "s",
    })}`;
    const answer = await kit.newBrowser().signIn("viewer@example.com", start);
    const code = new URL(answer.location ?? "").searchParams.get("code");
    const exchange = await fetch(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, code_verifier: verifier }),
    });
    const { token } = (await exchange.json()) as IssuedSession;
    const out = await fetch(`${kit.gatewayUrl}/auth/logout`, {
      method: "POST",
      headers: { authorization: basicAuth(token) },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ signedOut: true });
    expect((await kit.harness.rackRequest(token, "GET", "/apps")).status).toBe(401);
  });
});
