// Threat: another site makes a signed-in browser sign out or approve a device (CSRF on cookie-authenticated mutations).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeviceStart, postJson, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

async function signedIn() {
  const browser = kit.newBrowser();
  await browser.signIn("viewer@example.com");
  return browser;
}
const stillSignedIn = async (browser: Awaited<ReturnType<typeof signedIn>>) =>
  (await browser.request("/api/v1/me", { headers: { accept: "application/json" } })).status === 200;

describe("logout and device approval need the session's CSRF token and the gateway's Origin", () => {
  it("refuses logout without _csrf", async () => {
    const browser = await signedIn();
    const page = await browser.request("/auth/logout", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: {},
    });
    expect(page.status).toBe(403);
    expect(JSON.parse(page.text).code).toBe("CSRF_REJECTED");
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it("refuses logout with another session's token", async () => {
    const browser = await signedIn();
    const other = await signedIn();
    const page = await browser.request("/auth/logout", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await other.csrfToken() },
    });
    expect(page.status).toBe(403);
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it("refuses logout from another origin even with the right token", async () => {
    const browser = await signedIn();
    const page = await browser.request("/auth/logout", {
      method: "POST",
      headers: { origin: "http://localhost:9" },
      form: { _csrf: await browser.csrfToken() },
    });
    expect(page.status).toBe(403);
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it("refuses a device approval posted without _csrf and leaves the code pending", async () => {
    const browser = await signedIn();
    const device = (await postJson<DeviceStart>(`${kit.gatewayUrl}/api/v1/auth/device`, {})).body;
    const page = await browser.request("/auth/device", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { user_code: device.user_code, decision: "approve" },
    });
    expect(page.status).toBe(403);
    const grant = await kit.harness.gateway.deps.stores.signIns.findCliGrantByUserCode(
      device.user_code,
      kit.now(),
    );
    expect(grant?.status).toBe("pending");
  });

  it("accepts the same logout with the token and Origin (control)", async () => {
    const browser = await signedIn();
    const page = await browser.request("/auth/logout", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { _csrf: await browser.csrfToken() },
    });
    expect(page.status).toBe(200);
    expect(await stillSignedIn(browser)).toBe(false);
  });
});
