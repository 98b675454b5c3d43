// Threat: a page on another site makes a signed-in browser drive the rack (CSRF, cross-site websocket hijacking) with its cookies or cached Basic credentials, or cookies leak to the rack.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { eventsOf, rawRequest } from "./proxy-helpers.js";

const PREFIX = "/api/v1/rack-proxy";

function expectNoCorsGrant(headers: Record<string, unknown> | Headers): void {
  const names = headers instanceof Headers ? [...headers.keys()] : Object.keys(headers);
  expect(names.filter((name) => name.toLowerCase().startsWith("access-control-"))).toEqual([]);
}

describe("cookies and cross-site requests on the rack proxy", () => {
  let harness: Harness;
  let cookies: string;
  beforeAll(async () => {
    harness = await startHarness();
    // The session cookie names the web UI uses — even holding a valid API token, a cookie is never a credential.
    cookies = `__Host-rgw_session=${harness.tokens.admin}; rgw_session=${harness.tokens.admin}; token=${harness.tokens.admin}`;
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  it("never accepts cookies as credentials", async () => {
    for (const [method, path] of [
      ["GET", "/apps?"],
      ["POST", "/apps/myapp/services/web/restart"],
      ["GET", "/auth"],
    ] as const) {
      const response = await harness.rackRequest(null, method, path, { headers: { Cookie: cookies } });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="convox"');
      const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
      expect(event).toMatchObject({ decision: "deny", status: 401, actor: { type: "anonymous" } });
    }
    expect(harness.rack.requests).toEqual([]);
  });

  it("strips cookies from an authenticated request before it reaches the rack", async () => {
    const response = await harness.rackRequest(
      harness.tokens.ops,
      "POST",
      "/apps/myapp/services/web/restart",
      {
        headers: { Cookie: cookies },
      },
    );
    expect(response.status).toBe(200);
    const [forwarded] = harness.rack.requests;
    expect(forwarded?.path).toBe("/apps/myapp/services/web/restart");
    expect(forwarded?.headers).not.toHaveProperty("cookie");
    expect(JSON.stringify(forwarded?.headers)).not.toContain("rgw_session");
    // The rack saw the ops token's identity, not the admin token riding in the cookie.
    expect(forwarded?.headers["x-convox-actor"]).toBe("ops-token");
  });

  it("refuses a cross-site form POST carrying only cookies, and grants no CORS", async () => {
    const response = await rawRequest(harness.gatewayUrl, {
      method: "POST",
      path: `${PREFIX}/apps/myapp/services/web/restart`,
      headers: {
        Origin: "https://attacker.example",
        Referer: "https://attacker.example/pwn.html",
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookies,
      },
      body: "force=true",
    });
    expect([401, 403]).toContain(response.status);
    expectNoCorsGrant(response.headers);
    expect(harness.rack.requests).toEqual([]);
  });

  it("answers a CORS preflight without granting anything", async () => {
    const response = await rawRequest(harness.gatewayUrl, {
      method: "OPTIONS",
      path: `${PREFIX}/apps/myapp/services/web/restart`,
      headers: {
        Origin: "https://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expectNoCorsGrant(response.headers);
    expect(harness.rack.requests).toEqual([]);
  });

  it("refuses a cross-site browser request even when the browser attaches cached Basic credentials", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const response = await rawRequest(harness.gatewayUrl, {
        method: "POST",
        path: `${PREFIX}/apps/myapp/services/web/restart`,
        headers: {
          Authorization: basicAuth(harness.tokens.admin),
          Origin: "https://attacker.example",
          "Sec-Fetch-Site": site,
          "Sec-Fetch-Mode": "navigate",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: "force=true",
      });
      expect(response.status, site).toBe(403);
      expect(JSON.parse(response.text)).toMatchObject({ code: "FORBIDDEN" });
      expectNoCorsGrant(response.headers);
      const [event] = await eventsOf(harness, response.headers["x-request-id"] as string);
      expect(event).toMatchObject({ decision: "deny", status: 403, actor: { type: "anonymous" } });
      expect(event?.reason).toContain(site);
    }
    expect(harness.rack.requests).toEqual([]);
  });

  it("refuses a cross-site websocket upgrade (hijacking) before anything opens upstream", async () => {
    const refused = await harness
      .openSocket(harness.tokens.admin, "/apps/myapp/logs", {
        "Sec-Fetch-Site": "cross-site",
        Cookie: cookies,
      })
      .then(
        (socket) => {
          socket.terminate();
          return null;
        },
        (error: { status?: number }) => error,
      );
    expect(refused?.status).toBe(403);
    const cookieOnly = await harness.openSocket(null, "/apps/myapp/logs", { Cookie: cookies }).then(
      (socket) => {
        socket.terminate();
        return null;
      },
      (error: { status?: number }) => error,
    );
    expect(cookieOnly?.status).toBe(401);
    expect(harness.rack.requests).toEqual([]);
  });

  it("still serves same-origin and non-browser clients (the convox CLI sends no Fetch Metadata)", async () => {
    const sameOrigin = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?", {
      headers: { "Sec-Fetch-Site": "same-origin" },
    });
    expect(sameOrigin.status).toBe(200);
    const typedUrl = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?", {
      headers: { "Sec-Fetch-Site": "none" },
    });
    expect(typedUrl.status).toBe(200);
    const cli = await rawRequest(harness.gatewayUrl, {
      path: `${PREFIX}/apps?`,
      headers: { Authorization: basicAuth(harness.tokens.viewer), "User-Agent": "convox.go/3.19.0" },
    });
    expect(cli.status).toBe(200);
  });
});
