import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

it("answers sign-in pages with a clear 503 page when no identity provider is configured", async () => {
  for (const path of ["/auth/login", "/auth/callback?code=x&state=y", "/auth/cli/start?redirect_uri=x"]) {
    const response = await fetch(`${harness.gatewayUrl}${path}`, { redirect: "manual" });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("SIGN_IN_NOT_CONFIGURED");
  }
});

it("answers the CLI's device start with JSON SIGN_IN_NOT_CONFIGURED", async () => {
  const response = await fetch(`${harness.gatewayUrl}/api/v1/auth/device`, { method: "POST" });
  expect(response.status).toBe(503);
  expect(((await response.json()) as { code: string }).code).toBe("SIGN_IN_NOT_CONFIGURED");
});
