// Threat: a device code is redeemed twice, after expiry, after a denial, without a person's approval, or a user code is guessed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeviceStart,
  type IssuedSession,
  type OAuthErrorBody,
  postJson,
  type SignInHarness,
  startSignInHarness,
  type TestBrowser,
} from "./signin-helpers.js";

let kit: SignInHarness;
let person: TestBrowser;
beforeAll(async () => {
  kit = await startSignInHarness({ env: { RGW_SETTING_SESSION_TIMEOUT_MINUTES: "120" } });
  person = kit.newBrowser();
  await person.signIn("viewer@example.com");
});
afterAll(async () => kit?.close());

const startDevice = async () =>
  (await postJson<DeviceStart>(`${kit.gatewayUrl}/api/v1/auth/device`, { device_name: "ci box" })).body;
const poll = (deviceCode: string) =>
  postJson<OAuthErrorBody & Partial<IssuedSession>>(`${kit.gatewayUrl}/api/v1/auth/device/token`, {
    device_code: deviceCode,
  });
const decide = async (userCode: string, decision: "approve" | "deny", csrf?: string) =>
  person.request("/auth/device", {
    method: "POST",
    headers: { origin: kit.gatewayUrl },
    form: {
      ...(csrf === null ? {} : { _csrf: csrf ?? (await person.csrfToken()) }),
      user_code: userCode,
      decision,
    },
  });

describe("device codes are single-use, short-lived and need a person's POST", () => {
  it("hands the token out once", async () => {
    const device = await startDevice();
    expect((await decide(device.user_code, "approve")).status).toBe(200);
    const first = await poll(device.device_code);
    expect(first.status).toBe(200);
    const second = await poll(device.device_code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe("invalid_grant");
    expect(second.body.token).toBeUndefined();
  });

  it("answers slow_down to a CLI polling faster than the interval", async () => {
    const device = await startDevice();
    expect((await poll(device.device_code)).body.error).toBe("authorization_pending");
    expect((await poll(device.device_code)).body.error).toBe("slow_down");
    kit.advanceClock(5_000);
    expect((await poll(device.device_code)).body.error).toBe("authorization_pending");
  });

  it("answers access_denied after a denial, and never a token", async () => {
    const device = await startDevice();
    expect((await decide(device.user_code, "deny")).status).toBe(200);
    expect((await poll(device.device_code)).body.error).toBe("access_denied");
    // A denied code cannot be approved afterwards.
    expect((await decide(device.user_code, "approve")).status).toBe(404);
  });

  it("expires after ten minutes: no approval page, expired_token for the CLI", async () => {
    const device = await startDevice();
    kit.advanceClock(601_000);
    const page = await person.request(`/auth/device?user_code=${device.user_code}`);
    expect(page.status).toBe(404);
    expect((await decide(device.user_code, "approve")).status).toBe(404);
    expect((await poll(device.device_code)).body.error).toBe("expired_token");
  });

  it("ignores a GET that tries to approve, and a POST without the CSRF token", async () => {
    const device = await startDevice();
    await person.request(`/auth/device?user_code=${device.user_code}&decision=approve`);
    const noCsrf = await person.request("/auth/device", {
      method: "POST",
      headers: { origin: kit.gatewayUrl },
      form: { user_code: device.user_code, decision: "approve" },
    });
    expect(noCsrf.status).toBe(403);
    kit.advanceClock(5_000);
    expect((await poll(device.device_code)).body.error).toBe("authorization_pending");
  });

  it("lets no API token approve a device on a person's behalf", async () => {
    const device = await startDevice();
    const response = await fetch(`${kit.gatewayUrl}/auth/device?user_code=${device.user_code}`, {
      headers: { authorization: `Bearer ${kit.harness.tokens.admin}` },
    });
    expect(response.status).toBe(403);
  });

  it("refuses an unknown device_code", async () => {
    expect((await poll("not-a-device-code")).body.error).toBe("invalid_grant");
  });

  it("rate-limits wrong user codes per person, even before a right one", async () => {
    // Two windows on, the misses of the tests above have aged out of the sliding window entirely.
    kit.advanceClock(31 * 60_000);
    const device = await startDevice();
    for (let miss = 0; miss < 10; miss++) {
      expect((await person.request("/auth/device?user_code=BBBB-BBBB")).status).toBe(404);
    }
    const blocked = await person.request(`/auth/device?user_code=${device.user_code}`);
    expect(blocked.status).toBe(429);
    expect((await decide(device.user_code, "approve")).status).toBe(429);
  });
});
