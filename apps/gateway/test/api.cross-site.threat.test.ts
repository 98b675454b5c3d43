// Threat: another site drives the gateway's own API with Basic credentials the browser cached for the gateway,
// in a "simple" cross-site request (text/plain body, no preflight) that the cookie CSRF checks never see.
import { get as httpGet, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness, HttpResult } from "./harness.js";
import { auditEventsOf, clientFor, startPeopleHarness, uniqueEmail } from "./people.js";

describe("cross-site requests to the gateway's own API", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startPeopleHarness();
  });
  afterAll(() => harness.close());

  const basic = () => `Basic ${Buffer.from(`convox:${harness.tokens.admin}`).toString("base64")}`;

  const post = async (path: string, headers: Record<string, string>, body: string): Promise<HttpResult> => {
    const response = await fetch(`${harness.gatewayUrl}${path}`, {
      method: "POST",
      headers: { Authorization: basic(), ...headers },
      body,
      redirect: "manual",
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  };

  const evilBody = (email: string) =>
    `${JSON.stringify({ email, name: "a=b", grants: [{ role: "admin" }] })}\r\n`;
  const userExists = async (email: string) =>
    (await harness.gateway.deps.stores.users.findByEmail(email)) !== null;

  it("refuses a request the browser marks cross-site or same-site, before it runs, and audits it", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const email = uniqueEmail("evil");
      const result = await post(
        "/api/v1/users",
        { "Sec-Fetch-Site": site, Origin: "https://attacker.example", "Content-Type": "text/plain" },
        evilBody(email),
      );
      expect(result.status, `${site}: ${result.text}`).toBe(403);
      expect(result.json()).toMatchObject({ code: "FORBIDDEN" });
      expect(await userExists(email)).toBe(false);
      expect(await auditEventsOf(harness, result)).toEqual([
        expect.objectContaining({
          action: "gateway.request",
          decision: "deny",
          status: 403,
          reason: expect.stringContaining(site),
        }),
      ]);
    }
  });

  it("refuses a JSON body sent as anything but application/json: 415, nothing created", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const email = uniqueEmail("evil");
      const result = await post("/api/v1/users", { "Content-Type": type }, evilBody(email));
      expect(result.status, `${type}: ${result.text}`).toBe(415);
      expect(result.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
      expect(await userExists(email)).toBe(false);
    }
    const untyped = uniqueEmail("evil");
    const result = await fetch(`${harness.gatewayUrl}/api/v1/users`, {
      method: "POST",
      headers: { Authorization: basic() },
      body: new Blob([evilBody(untyped)]),
    });
    expect(result.status).toBe(415);
    expect(await userExists(untyped)).toBe(false);
  });

  it("still serves the CLI (no Sec-Fetch-Site) and same-origin pages, JSON with a charset included", async () => {
    for (const headers of [
      { "Content-Type": "application/json" },
      { "Content-Type": "application/json; charset=utf-8", "Sec-Fetch-Site": "same-origin" },
      { "Content-Type": "Application/JSON", "Sec-Fetch-Site": "none" },
    ]) {
      const email = uniqueEmail("fine");
      const result = await post(
        "/api/v1/users",
        headers,
        JSON.stringify({ email, grants: [{ role: "viewer" }] }),
      );
      expect(result.status, result.text).toBe(201);
    }
    // A body-less call (e.g. the CLI's revoke-all without a reason) needs no Content-Type.
    const asOperator = clientFor(harness, { kind: "bearer", token: harness.tokens.admin });
    const revokeAll = await asOperator("POST", "/api/v1/incident/revoke-all-sessions");
    expect(revokeAll.status, revokeAll.text).toBe(200);
  });

  it("lets a link from another site still lead to a page (a read, which the site cannot see)", async () => {
    // node:http, because fetch sets its own Sec-Fetch-Mode.
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpGet(
        `${harness.gatewayUrl}/auth/device?user_code=ABCD-EFGH`,
        { headers: { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", Accept: "text/html" } },
        resolve,
      );
      request.on("error", reject);
    });
    answer.resume();
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toContain("/auth/login");
  });
});
