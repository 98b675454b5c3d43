// Threat: a loopback code stolen from the browser (history, another local app) is redeemed without the CLI's PKCE verifier.
import { createS256CodeChallenge } from "@rack-gateway/oauth";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  auditEvents,
  type IssuedSession,
  type OAuthErrorBody,
  postJson,
  type SignInHarness,
  startSignInHarness,
} from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const wrongVerifier = "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

async function loopbackCode(): Promise<string> {
  const start = `/auth/cli/start?${new URLSearchParams({
    redirect_uri: "http://127.0.0.1:40001/callback",
    code_challenge: createS256CodeChallenge(verifier),
    code_challenge_method: "S256",
    state: "cli",
  })}`;
  const answer = await kit.newBrowser().signIn("admin@example.com", start);
  return new URL(answer.location ?? "").searchParams.get("code") ?? "";
}

const exchange = (code: string, codeVerifier: string) =>
  postJson<OAuthErrorBody & Partial<IssuedSession>>(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
    code,
    code_verifier: codeVerifier,
  });

it("refuses the wrong verifier and burns the code, so the right one fails afterwards too", async () => {
  const code = await loopbackCode();
  const wrong = await exchange(code, wrongVerifier);
  expect(wrong.status).toBe(400);
  expect(wrong.body.error).toBe("invalid_grant");
  expect(wrong.body.token).toBeUndefined();
  expect((await auditEvents(kit, "signin.failure")).at(-1)?.reason).toMatch(/PKCE/);
  const right = await exchange(code, verifier);
  expect(right.status).toBe(400);
  expect(right.body.token).toBeUndefined();
});

it("refuses a malformed verifier (and burns the code)", async () => {
  const code = await loopbackCode();
  expect((await exchange(code, "short")).status).toBe(400);
  expect((await exchange(code, verifier)).status).toBe(400);
});

it("refuses the code after its minute", async () => {
  const code = await loopbackCode();
  kit.advanceClock(61_000);
  expect((await exchange(code, verifier)).status).toBe(400);
});

it("issues exactly one session for the right verifier", async () => {
  const code = await loopbackCode();
  const ok = await exchange(code, verifier);
  expect(ok.status).toBe(200);
  expect(ok.body.token).toMatch(/^rgws_/);
});

it("never redeems a device code at the loopback endpoint", async () => {
  const started = await postJson<{ device_code: string }>(`${kit.gatewayUrl}/api/v1/auth/device`, {});
  expect((await exchange(started.body.device_code, verifier)).status).toBe(400);
});
