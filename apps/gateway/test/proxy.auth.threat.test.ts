// Threat: an attacker reaches the rack through the gateway with a forged, revoked, expired or malformed credential, guesses tokens at speed, or finds a token in the audit trail.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, hashApiToken } from "../src/auth/api-token.js";
import { basicAuth, type Harness, type HttpResult, startHarness } from "./harness.js";
import { allAuditText, eventsOf } from "./proxy-helpers.js";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const percentEncodeEvery = (text: string) =>
  [...Buffer.from(text, "utf8")]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");

function expectInvalidAuthentication(response: HttpResult): void {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe('Basic realm="convox"');
  expect(response.json()).toEqual({ error: "invalid authentication", code: "INVALID_AUTHENTICATION" });
}

describe("rack proxy authentication", () => {
  let harness: Harness;
  let unknownToken: string;
  beforeAll(async () => {
    harness = await startHarness({ env: { AUTH_FAILURE_LIMIT: "100000" } });
    unknownToken = createApiToken((count) => randomBytes(count));
  });
  afterAll(() => harness.close());

  const forged: ReadonlyArray<[string, () => string]> = [
    [
      "right prefix, bad checksum",
      () => {
        const token = harness.tokens.admin;
        const last = token.at(-1) === "A" ? "B" : "A";
        return basicAuth(`${token.slice(0, -1)}${last}`);
      },
    ],
    ["right checksum, unknown token", () => basicAuth(unknownToken)],
    ["garbage password", () => basicAuth("hunter2")],
    ["empty password", () => `Basic ${base64("convox:")}`],
    ["Basic with no colon", () => `Basic ${base64(harness.tokens.admin)}`],
    ["Basic that is not base64", () => `Basic ${harness.tokens.admin}!`],
    ["a 10 kB Basic header", () => basicAuth(`${harness.tokens.admin}${"x".repeat(10_000)}`)],
    ["a 10 kB Bearer header", () => `Bearer ${"A".repeat(10_240)}`],
    ["the token in the username", () => `Basic ${base64(`${harness.tokens.admin}:`)}`],
    ["the token in the username with a password", () => `Basic ${base64(`${harness.tokens.admin}:convox`)}`],
    [
      "a twice percent-encoded token",
      () => basicAuth(encodeURIComponent(percentEncodeEvery(harness.tokens.admin))),
    ],
    ["an unknown scheme", () => `Token ${harness.tokens.admin}`],
    ["a scheme with no value", () => "Bearer "],
    ["Bearer with a Basic payload", () => `Bearer ${base64(`convox:${harness.tokens.admin}`)}`],
  ];

  it.each(forged)("refuses %s with the rack's 401, audited as an anonymous deny", async (_name, header) => {
    const authorization = header();
    const before = harness.rack.requests.length;
    const response = await harness.rackRequest(null, "GET", "/apps?", {
      headers: { Authorization: authorization },
    });
    expectInvalidAuthentication(response);
    expect(harness.rack.requests.length).toBe(before);
    const [event, ...rest] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      action: "rack.request",
      decision: "deny",
      status: 401,
      actor: { type: "anonymous" },
      path: "/apps",
    });
    expect(event?.actor).toEqual({ type: "anonymous" });
    const text = await allAuditText(harness);
    expect(text).not.toContain(harness.tokens.admin);
    expect(text).not.toContain(unknownToken);
    const presented = authorization.slice(authorization.indexOf(" ") + 1, 60);
    if (presented.length >= 16) expect(text).not.toContain(presented);
  });

  it("refuses a request with no Authorization header", async () => {
    const response = await harness.rackRequest(null, "POST", "/apps/myapp/services/web/restart");
    expectInvalidAuthentication(response);
    expect(harness.rack.requests.some((request) => request.path.includes("restart"))).toBe(false);
  });

  it("refuses a revoked token immediately, with no caching window", async () => {
    const token = await harness.createToken([{ role: "viewer" }]);
    expect((await harness.rackRequest(token, "GET", "/apps?")).status).toBe(200);
    const stored = await harness.gateway.database.stores.tokens.findByHash(hashApiToken(token));
    expect(stored).not.toBeNull();
    expect(await harness.gateway.database.stores.tokens.revoke(stored?.id ?? "", new Date())).toBe(true);
    const response = await harness.rackRequest(token, "GET", "/apps?");
    expectInvalidAuthentication(response);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ decision: "deny", actor: { type: "anonymous" } });
    expect(event?.reason).toContain("revoked");
    expect(await allAuditText(harness)).not.toContain(token);
  });

  it("refuses an expired token", async () => {
    const token = await harness.createToken([{ role: "admin" }], { expiresAt: new Date(Date.now() - 1_000) });
    const response = await harness.rackRequest(token, "GET", "/apps?");
    expectInvalidAuthentication(response);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event?.reason).toContain("expired");
    expect(await allAuditText(harness)).not.toContain(token);
  });

  it("refuses failures on websocket upgrades the same way", async () => {
    const refused = await harness.openSocket(unknownToken, "/apps/myapp/logs").then(
      () => null,
      (error: { status?: number; body?: string }) => error,
    );
    expect(refused?.status).toBe(401);
    expect(JSON.parse(refused?.body ?? "{}")).toEqual({
      error: "invalid authentication",
      code: "INVALID_AUTHENTICATION",
    });
    expect(harness.rack.requests.some((request) => request.websocket)).toBe(false);
  });

  const accepted: ReadonlyArray<[string, (token: string) => string]> = [
    ["Basic as the convox CLI sends it", (token) => basicAuth(token)],
    [
      "Basic with every password byte percent-encoded",
      (token) => `Basic ${base64(`convox:${percentEncodeEvery(token)}`)}`,
    ],
    ["Basic with any username", (token) => `Basic ${base64(`jwt:${token}`)}`],
    ["Bearer", (token) => `Bearer ${token}`],
    ["lowercase basic", (token) => basicAuth(token).replace("Basic", "basic")],
    ["lowercase bearer", (token) => `bearer ${token}`],
  ];

  it.each(accepted)("accepts %s and audits the token's actor", async (_name, header) => {
    const token = harness.tokens.viewer;
    const response = await harness.rackRequest(null, "GET", "/apps?", {
      headers: { Authorization: header(token) },
    });
    expect(response.status).toBe(200);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ decision: "allow", actor: { type: "token", name: "viewer-token" } });
    expect(await allAuditText(harness)).not.toContain(token);
  });

  it("records a valid token's last-used time and address", async () => {
    const token = await harness.createToken([{ role: "viewer" }]);
    const tokens = harness.gateway.database.stores.tokens;
    expect((await tokens.findByHash(hashApiToken(token)))?.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await harness.rackRequest(token, "GET", "/apps?")).status).toBe(200);
    const after = Date.now();
    const stored = await tokens.findByHash(hashApiToken(token));
    expect(stored?.lastUsedIp).toBe("127.0.0.1");
    const usedAt = stored?.lastUsedAt?.getTime() ?? 0;
    expect(usedAt).toBeGreaterThanOrEqual(before - 1);
    expect(usedAt).toBeLessThanOrEqual(after + 1);
  });
});

describe("rack proxy authentication rate limit", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { AUTH_FAILURE_LIMIT: "5" } });
  });
  afterAll(() => harness.close());

  it("answers the 6th failure from one address with 429 and Retry-After, audited, even behind a spoofed X-Forwarded-For", async () => {
    const guess = () => createApiToken((count) => randomBytes(count));
    for (let attempt = 1; attempt <= 5; attempt++) {
      expectInvalidAuthentication(await harness.rackRequest(guess(), "GET", "/apps?"));
    }
    const limited = await harness.rackRequest(guess(), "GET", "/apps?");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("900");
    expect(limited.json()).toMatchObject({ code: "RATE_LIMITED" });
    const [event] = await eventsOf(harness, limited.headers.get("x-request-id"));
    expect(event).toMatchObject({
      action: "rack.request",
      decision: "deny",
      status: 429,
      actor: { type: "anonymous" },
    });
    expect(event?.reason).toContain("rate limited");

    // Proxy headers are not trusted by default: a forged client address does not reset the count.
    const spoofed = await harness.rackRequest(guess(), "GET", "/apps?", {
      headers: { "X-Forwarded-For": "203.0.113.7" },
    });
    expect(spoofed.status).toBe(429);
    expect(harness.rack.requests.filter((request) => request.path.startsWith("/apps"))).toEqual([]);
  });

  it("keeps serving a valid token from the same address (an attacker cannot lock real users out)", async () => {
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(response.status).toBe(200);
  });
});
