// Threat: return_to turns the sign-in into an open redirect to another site.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignInHarness, startSignInHarness } from "./signin-helpers.js";

let kit: SignInHarness;
beforeAll(async () => {
  kit = await startSignInHarness();
});
afterAll(async () => kit?.close());

const refreshTarget = (text: string) => /content="0;url=([^"]*)"/.exec(text)?.[1];

describe("return_to is a same-origin path or nothing", () => {
  it.each([
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    " /api/v1/me",
    "evil.example",
    "/auth/callback?code=x&state=y",
    "/auth/login?return_to=//evil.example",
  ])("falls back to /auth/done for %j", async (returnTo) => {
    const page = await kit
      .newBrowser()
      .signIn("viewer@example.com", `/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    expect(page.status).toBe(200);
    expect(refreshTarget(page.text)).toBe("/auth/done");
    expect(page.text).not.toContain("evil.example");
  });

  it("keeps a same-origin path with its query, escaped in the page", async () => {
    const page = await kit
      .newBrowser()
      .signIn(
        "viewer@example.com",
        `/auth/login?return_to=${encodeURIComponent('/auth/device?user_code=BCDF-GHJK&x="><b>')}`,
      );
    expect(refreshTarget(page.text)).toBe("/auth/device?user_code=BCDF-GHJK&amp;x=%22%3E%3Cb%3E");
    expect(page.text).not.toContain("<b>");
  });
});
