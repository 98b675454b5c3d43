// Threat: a forgotten or stolen session lives on — past its idle timeout or its absolute lifetime.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type SignInHarness, startSignInHarness, type TestBrowser } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness({
    env: { RGW_SETTING_SESSION_TIMEOUT_MINUTES: "30", RGW_SETTING_SESSION_ABSOLUTE_HOURS: "1" },
  });
});
afterAll(async () => kit?.close());

const meStatus = async (browser: TestBrowser) =>
  (await browser.request("/api/v1/me", { headers: { accept: "application/json" } })).status;

async function lastDenialReason() {
  const denials = (await kit.harness.auditRecords()).filter(
    (record) => record.event.action === "gateway.request",
  );
  return denials.at(-1)?.event.reason;
}

it("ends a web session after the idle timeout", async () => {
  const browser = kit.newBrowser();
  await browser.signIn("viewer@example.com");
  kit.advanceClock(10 * 60_000);
  expect(await meStatus(browser)).toBe(200);
  kit.advanceClock(31 * 60_000);
  expect(await meStatus(browser)).toBe(401);
  expect(await lastDenialReason()).toMatch(/expired after 30 idle minutes/);
});

it("ends an active web session at its absolute lifetime", async () => {
  const browser = kit.newBrowser();
  await browser.signIn("viewer@example.com");
  for (const step of [20, 20, 19]) {
    kit.advanceClock(step * 60_000);
    expect(await meStatus(browser)).toBe(200);
  }
  kit.advanceClock(2 * 60_000);
  expect(await meStatus(browser)).toBe(401);
  expect(await lastDenialReason()).toMatch(/absolute lifetime/);
});

it("sets the cookie's Max-Age to the absolute lifetime, not longer", async () => {
  const page = await kit.newBrowser().signIn("viewer@example.com");
  const cookie = page.headers.getSetCookie().find((line) => line.startsWith("rgw_session="));
  expect(cookie).toMatch(/Max-Age=3600(;|$)/);
});
