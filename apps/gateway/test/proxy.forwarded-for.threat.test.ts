// Threat: behind a load balancer, a client writes its own X-Forwarded-For entries to dodge the per-address auth-failure limit and to forge the address audited and recorded as a token's last use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIpOf } from "../src/app.js";
import { hashApiToken } from "../src/auth/api-token.js";
import { type Harness, startHarness } from "./harness.js";
import { eventsOf } from "./proxy-helpers.js";

// What an AWS ALB sends on: whatever the client wrote, then the address it saw.
const PROXY_SEEN = "203.0.113.9";
const forgedChain = (forged: string) => `${forged}, ${PROXY_SEEN}`;

describe("clientIpOf", () => {
  it.each([
    ["the address the trusted proxy appended", "198.51.100.7, 203.0.113.9", "203.0.113.9"],
    ["one entry", "203.0.113.9", "203.0.113.9"],
    ["entries with odd spacing", " 198.51.100.7 ,203.0.113.9 ", "203.0.113.9"],
    ["the socket address when the last entry is empty", "198.51.100.7, ", "10.0.0.2"],
  ])("takes %s", (_name, forwardedFor, expected) => {
    expect(clientIpOf(forwardedFor, "10.0.0.2", true)).toBe(expected);
  });

  it("ignores X-Forwarded-For unless told to trust it", () => {
    expect(clientIpOf("203.0.113.9", "10.0.0.2", false)).toBe("10.0.0.2");
    expect(clientIpOf(undefined, undefined, true)).toBeNull();
  });
});

describe("X-Forwarded-For behind a trusted load balancer", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      database: "pglite",
      env: { TRUST_PROXY_HEADERS: "true", AUTH_FAILURE_LIMIT: "3" },
    });
  });
  afterAll(() => harness.close());

  it("counts failed authentications against the address the proxy saw, whatever the client prepends", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const response = await harness.rackRequest("rgw_not-a-token", "GET", "/apps", {
        headers: { "X-Forwarded-For": forgedChain(`198.51.100.${i}`) },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);

    const denies = (await harness.auditRecords())
      .map((record) => record.event)
      .filter((event) => event.action === "rack.request" && event.decision === "deny");
    expect(denies.length).toBeGreaterThanOrEqual(5);
    expect(new Set(denies.map((event) => event.clientIp))).toEqual(new Set([PROXY_SEEN]));
  });

  it("audits and records a token's last use at the address the proxy saw, on the rack proxy and the API", async () => {
    const rackToken = await harness.createToken([{ role: "viewer" }], { name: "rack-user" });
    const rackCall = await harness.rackRequest(rackToken, "GET", "/apps", {
      headers: { "X-Forwarded-For": forgedChain("192.0.2.66") },
    });
    expect(rackCall.status).toBe(200);
    const [event] = await eventsOf(harness, rackCall.headers.get("x-request-id"));
    expect(event?.clientIp).toBe(PROXY_SEEN);

    const apiToken = await harness.createToken([{ role: "viewer" }], { name: "api-user" });
    const apiCall = await fetch(`${harness.gatewayUrl}/api/v1/me`, {
      headers: { Authorization: `Bearer ${apiToken}`, "X-Forwarded-For": forgedChain("192.0.2.67") },
    });
    expect(apiCall.status).toBe(200);

    const tokens = harness.gateway.deps.stores.tokens;
    expect((await tokens.findByHash(hashApiToken(rackToken)))?.lastUsedIp).toBe(PROXY_SEEN);
    // The gateway's own API records the use too, and at the client's address rather than none.
    expect((await tokens.findByHash(hashApiToken(apiToken)))?.lastUsedIp).toBe(PROXY_SEEN);
  });
});
