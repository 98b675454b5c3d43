// Threat: one identity holds every rack connection (stalled calls, thousands of log streams), and everyone else's calls fail.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { eventsOf, startLoopbackServer } from "./proxy-helpers.js";

describe("calls in flight per identity (RACK_MAX_CONCURRENT_CALLS)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { RACK_MAX_CONCURRENT_CALLS: "2" } });
  });
  afterAll(() => harness.close());

  const follow = (token: string) => harness.openSocket(token, "/apps/myapp/logs", { Follow: "true" });
  const closed = (socket: WebSocket) =>
    new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.close(1000);
    });

  it("refuses an identity's call past the limit with 429, audited, while other identities go on; a slot frees when a session ends", async () => {
    const streams = [await follow(harness.tokens.viewer), await follow(harness.tokens.viewer)];

    const third = await follow(harness.tokens.viewer).then(
      (socket) => {
        socket.terminate();
        return null;
      },
      (error: { status?: number; body?: string }) => error,
    );
    expect(third?.status).toBe(429);
    expect(JSON.parse(third?.body ?? "{}")).toMatchObject({ code: "RATE_LIMITED" });

    const refused = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(refused.status).toBe(429);
    expect(refused.json<{ error: string }>().error).toContain("at most 2 at once");
    const [event] = await eventsOf(harness, refused.headers.get("x-request-id"));
    expect(event).toMatchObject({ action: "rack.request", decision: "deny", status: 429 });

    expect((await harness.rackRequest(harness.tokens.ops, "GET", "/apps?")).status).toBe(200);

    await closed(streams[0] as WebSocket);
    await expect
      .poll(async () => (await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status)
      .toBe(200);
    await closed(streams[1] as WebSocket);
  });

  it("gives back the slot of every finished or refused HTTP call", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await harness.rackRequest(harness.tokens.deployer, "GET", "/apps?")).status).toBe(200);
      // Refused after the slot was taken (a parameter the gateway will not forward).
      const refused = await harness.rackRequest(
        harness.tokens.deployer,
        "POST",
        "/apps/myapp/releases?env=A%3D1",
      );
      expect(refused.status).toBe(400);
    }
    expect((await harness.rackRequest(harness.tokens.deployer, "GET", "/apps?")).status).toBe(200);
  });
});

describe("a client that leaves before the rack answers", () => {
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Harness;
  let rackRequestsClosed = 0;
  beforeAll(async () => {
    // Answers /apps/slow after 300 ms, and anything else at once.
    rack = await startLoopbackServer((req, res) => {
      res.on("close", () => {
        rackRequestsClosed++;
      });
      const slow = (req.url ?? "").startsWith("/apps/slow");
      setTimeout(
        () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"name":"myapp"}'),
        slow ? 300 : 0,
      );
    });
    harness = await startHarness({ env: { RACK_HOST: rack.url, RACK_MAX_CONCURRENT_CALLS: "1" } });
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });

  it("gives its identity's slot back and audits the call as interrupted", async () => {
    const token = await harness.createToken([{ role: "viewer" }], { name: "leaves-early" });
    expect((await harness.rackRequest(token, "GET", "/apps/myapp?")).status).toBe(200);
    const url = new URL(harness.proxyUrl);
    const requestId = await new Promise<string | null>((resolve) => {
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}/apps/slow?`,
        headers: { Authorization: basicAuth(token) },
        agent: false,
      });
      request.on("error", () => resolve(null));
      request.end();
      setTimeout(() => {
        request.destroy();
        resolve(null);
      }, 100);
    });
    expect(requestId).toBeNull();
    // Once the rack has answered the abandoned call, the slot is free again.
    await expect
      .poll(async () => (await harness.rackRequest(token, "GET", "/apps/myapp?")).status, { timeout: 5_000 })
      .toBe(200);
    const abandoned = (await harness.auditRecords())
      .map((record) => record.event)
      .find((event) => event.path === "/apps/slow");
    expect(abandoned).toMatchObject({
      detail: { interrupted: true, clientLeft: "before the rack answered" },
    });
    expect(rackRequestsClosed).toBeGreaterThanOrEqual(2);
  });
});
