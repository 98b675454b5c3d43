// Threat: a web session cookie (ambient browser authority) drives the rack through the proxy.
import { afterAll, beforeAll, expect, it } from "vitest";
import { basicAuth } from "./harness.js";
import { type SignInHarness, sessionCookieOf, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
let cookie: string;
beforeAll(async () => {
  kit = await startSignInHarness();
  const browser = kit.newBrowser();
  await browser.signIn("admin@example.com");
  cookie = sessionCookieOf(browser) ?? "";
});
afterAll(async () => kit?.close());

it("ignores a signed-in admin's cookie on the rack proxy: nothing reaches the rack", async () => {
  kit.harness.rack.reset();
  for (const [method, path] of [
    ["GET", "/apps"],
    ["POST", "/apps/myapp/restart"],
  ] as const) {
    const response = await fetch(`${kit.harness.proxyUrl}${path}`, {
      method,
      headers: { cookie: `rgw_session=${cookie}` },
    });
    expect(response.status).toBe(401);
  }
  expect(kit.harness.rack.requests).toHaveLength(0);
});

it("refuses the web session token even as a Basic password (a web session is not a CLI credential)", async () => {
  kit.harness.rack.reset();
  const answer = await kit.harness.rackRequest(cookie, "GET", "/apps");
  expect(answer.status).toBe(401);
  const api = await fetch(`${kit.gatewayUrl}/api/v1/me`, { headers: { authorization: basicAuth(cookie) } });
  expect(api.status).toBe(401);
  expect(kit.harness.rack.requests).toHaveLength(0);
});
