// Threat: self-sign-up — a verified, in-domain person nobody provisioned gets a session.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  auditEvents,
  expectRefusedSignIn,
  type SignInHarness,
  startSignInHarness,
} from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

it("refuses an in-domain account that is not a user, creates no user, and audits the email", async () => {
  const page = await expectRefusedSignIn(kit, "stranger@example.com", 403, /not a user of this gateway/);
  expect(page.text).toContain("Ask an admin to add you");
  expect(await kit.harness.gateway.deps.stores.users.findByEmail("stranger@example.com")).toBeNull();
  const failure = (await auditEvents(kit, "signin.failure")).at(-1);
  expect(failure?.actor).toEqual({ type: "anonymous", email: "stranger@example.com" });
  expect(failure?.clientIp).toBe("127.0.0.1");
});
