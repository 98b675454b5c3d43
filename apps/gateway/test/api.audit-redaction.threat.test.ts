// Threat: a secret a client puts in a denied gateway-API path, a sign-in callback or its user agent is written in full into the sealed audit chain and the stdout log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "./harness.js";
import { clientFor, startPeopleHarness } from "./people.js";
import { auditEvents, type SignInHarness, startSignInHarness } from "./signin-helpers.js";

async function everythingLogged(harness: Harness): Promise<string> {
  const records = await harness.auditRecords();
  return `${JSON.stringify(records)}\n${harness.auditLines.join("\n")}`;
}

describe("denials on the gateway's own API", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startPeopleHarness({}, { database: "pglite" });
  });
  afterAll(() => harness.close());

  it("never record a token pasted into the path, for a signed-in caller or an anonymous one", async () => {
    const someonesToken = harness.tokens.admin;
    const asViewer = clientFor(harness, { kind: "bearer", token: harness.tokens.viewer });
    const forbidden = await asViewer("DELETE", `/api/v1/tokens/${someonesToken}`);
    expect(forbidden.status).toBe(403);
    const anonymous = await clientFor(harness, { kind: "anonymous" })(
      "DELETE",
      `/api/v1/tokens/${someonesToken}`,
    );
    expect(anonymous.status).toBe(401);

    const denies = (await harness.auditRecords())
      .map((record) => record.event)
      .filter((event) => event.action === "gateway.request" && event.path?.startsWith("/api/v1/tokens/"));
    expect(denies).toHaveLength(2);
    const logged = await everythingLogged(harness);
    expect(logged).not.toContain(someonesToken);
    expect(logged).not.toContain(someonesToken.slice(4, 30));
  });
});

describe("sign-in events", () => {
  let kit: SignInHarness;
  beforeAll(async () => {
    kit = await startSignInHarness();
  });
  afterAll(async () => kit?.close());

  it("never record a token put in the provider's error or the user agent", async () => {
    const secret = kit.harness.tokens.admin;
    const browser = kit.newBrowser();
    const toProvider = await browser.startAt("/auth/login");
    const callback = new URL(await browser.authorizeAt("admin@example.com", toProvider));
    callback.searchParams.set("error", `Bearer ${secret}`);
    const page = await browser.request(callback.toString(), { headers: { "user-agent": `curl ${secret}` } });
    expect(page.status).toBe(403);

    const [failure] = (await auditEvents(kit, "signin.failure")).slice(-1);
    expect(failure?.reason).toMatch(/the identity provider answered/);
    const logged = await everythingLogged(kit.harness);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(secret.slice(4, 30));
  });
});
