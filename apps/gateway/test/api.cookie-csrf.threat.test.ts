// Threat: a page on another site makes a signed-in admin's browser change the gateway (CSRF), or a stolen credential is replayed on the wrong channel (a web cookie as a CLI credential, a CLI session as a cookie).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfTokenFor } from "../src/http/csrf.js";
import type { UserRecord } from "../src/stores/types.js";
import type { Harness, HttpResult } from "./harness.js";
import { createUser, type Person, personWithRole, signIn, startPeopleHarness, tokenOf } from "./people.js";

describe("cookie-authenticated mutations of the gateway's own API", () => {
  let harness: Harness;
  let admin: Person;
  let otherAdmin: Person;
  let target: UserRecord;

  beforeAll(async () => {
    harness = await startPeopleHarness();
    admin = await personWithRole(harness, "admin");
    otherAdmin = await personWithRole(harness, "admin");
    target = await createUser(harness, [{ role: "viewer" }]);
  });
  afterAll(() => harness.close());

  /** POST /api/v1/users/{target}/lock with exactly `headers` (plus JSON), nothing added. */
  async function lockTarget(headers: Record<string, string>): Promise<HttpResult> {
    const response = await fetch(`${harness.gatewayUrl}/api/v1/users/${target.id}/lock`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ reason: "csrf probe" }),
      redirect: "manual",
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }

  const cookie = (person: Person) => `rgw_session=${tokenOf(person)}`;
  const csrf = (person: Person) => csrfTokenFor(harness.gateway.deps.appSecretKey, person.session.id);

  async function expectRefused(result: HttpResult, code: string, status: number, reason: RegExp) {
    expect(result.status, result.text).toBe(status);
    expect(result.json()).toMatchObject({ code });
    const stored = await harness.gateway.deps.stores.users.findById(target.id);
    expect(stored?.lockedAt, "the refused request changed nothing").toBeNull();
    await harness.gateway.deps.audit.flush();
    const records = await harness.gateway.deps.stores.audit.list({ limit: 100_000 });
    const event = records.find(
      (record) => record.event.requestId === result.headers.get("x-request-id"),
    )?.event;
    expect(event).toMatchObject({
      action: "gateway.request",
      decision: "deny",
      status,
      reason: expect.stringMatching(reason),
    });
  }

  it("refuses a mutation without the CSRF header", async () => {
    const result = await lockTarget({ Cookie: cookie(admin), Origin: harness.gatewayUrl });
    await expectRefused(result, "CSRF_REJECTED", 403, /CSRF token/);
  });

  it("refuses a wrong CSRF token, including another session's valid one", async () => {
    for (const token of [
      "x",
      csrf(admin).replace(/.$/, (last) => (last === "A" ? "B" : "A")),
      csrf(otherAdmin),
    ]) {
      const result = await lockTarget({
        Cookie: cookie(admin),
        Origin: harness.gatewayUrl,
        "X-CSRF-Token": token,
      });
      await expectRefused(result, "CSRF_REJECTED", 403, /CSRF token/);
    }
  });

  it("refuses the right CSRF token from a foreign Origin, or a foreign Referer without Origin", async () => {
    for (const headers of [
      { Origin: "https://attacker.example" },
      { Origin: "null" },
      { Origin: harness.gatewayUrl.replace("127.0.0.1", "localhost") },
      { Referer: "https://attacker.example/pwn.html" },
    ]) {
      const result = await lockTarget({ Cookie: cookie(admin), "X-CSRF-Token": csrf(admin), ...headers });
      await expectRefused(result, "CSRF_REJECTED", 403, /Origin/);
    }
  });

  it("refuses a mutation with neither Origin nor Referer", async () => {
    const result = await lockTarget({ Cookie: cookie(admin), "X-CSRF-Token": csrf(admin) });
    await expectRefused(result, "CSRF_REJECTED", 403, /Origin/);
  });

  it("refuses a cross-site form post carrying a made-up _csrf field", async () => {
    const response = await fetch(`${harness.gatewayUrl}/api/v1/incident/revoke-all-sessions`, {
      method: "POST",
      headers: {
        Cookie: cookie(admin),
        Origin: harness.gatewayUrl,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "_csrf=guess",
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "CSRF_REJECTED" });
    const stillActive = await harness.gateway.deps.stores.sessions.listActive(new Date());
    expect(stillActive.map((session) => session.id)).toContain(admin.session.id);
  });

  it("needs no CSRF token for reads", async () => {
    const response = await fetch(`${harness.gatewayUrl}/api/v1/users`, {
      headers: { Cookie: cookie(admin) },
    });
    expect(response.status).toBe(200);
  });

  it("needs no CSRF token from a CLI session or an API token in Authorization (no ambient authority)", async () => {
    const cli = await signIn(harness, admin.user, "cli");
    for (const authorization of [`Bearer ${tokenOf(cli)}`, `Bearer ${harness.tokens.admin}`]) {
      const probe = await createUser(harness, [{ role: "viewer" }]);
      const response = await fetch(`${harness.gatewayUrl}/api/v1/users/${probe.id}/lock`, {
        method: "POST",
        headers: {
          Authorization: authorization,
          "Content-Type": "application/json",
          Origin: "https://elsewhere.example",
        },
        body: JSON.stringify({ reason: "header credential" }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
  });

  it("lets the same-origin SPA through with its cookie and CSRF token (control)", async () => {
    const probe = await createUser(harness, [{ role: "viewer" }]);
    const response = await fetch(`${harness.gatewayUrl}/api/v1/users/${probe.id}/lock`, {
      method: "POST",
      headers: {
        Cookie: cookie(admin),
        Origin: harness.gatewayUrl,
        "X-CSRF-Token": csrf(admin),
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ reason: "control" }),
    });
    expect(response.status).toBe(200);
  });

  it("refuses a web session token sent in Authorization: a stolen cookie cannot drive the API or the rack", async () => {
    const web = await signIn(harness, admin.user, "web");
    for (const authorization of [
      `Bearer ${tokenOf(web)}`,
      `Basic ${Buffer.from(`convox:${tokenOf(web)}`).toString("base64")}`,
    ]) {
      const response = await fetch(`${harness.gatewayUrl}/api/v1/users`, {
        headers: { Authorization: authorization },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "INVALID_AUTHENTICATION" });
    }
    expect((await harness.rackRequest(tokenOf(web), "GET", "/apps")).status).toBe(401);
    // The session itself is fine where it belongs.
    const asCookie = await fetch(`${harness.gatewayUrl}/api/v1/me`, { headers: { Cookie: cookie(web) } });
    expect(asCookie.status).toBe(200);
  });

  it("refuses a CLI session token or an API token sent as the session cookie", async () => {
    const cli = await signIn(harness, admin.user, "cli");
    for (const value of [tokenOf(cli), harness.tokens.admin]) {
      const response = await fetch(`${harness.gatewayUrl}/api/v1/users`, {
        headers: { Cookie: `rgw_session=${value}` },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "INVALID_AUTHENTICATION" });
    }
  });
});
