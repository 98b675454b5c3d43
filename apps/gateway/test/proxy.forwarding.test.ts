// Threat: the gateway forwards something other than what it authorized — the client's credentials, cookies or spoofed proxy headers, a path that differs from the one checked — or leaks rack cookies and internal detail back to clients.
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { eventsOf, rawRequest, startLoopbackServer } from "./proxy-helpers.js";

const PREFIX = "/api/v1/rack-proxy";
const OPTION_HEADERS = {
  Follow: "true",
  Since: "5m",
  Prefix: "true",
  Tail: "25",
  Command: "bin/rails db:migrate --verbose",
  Tty: "true",
  Entrypoint: "true",
  Height: "40",
  Width: "120",
  Release: "RABCDEFGHIJ",
  Environment: "production",
};

function expectSecurityHeaders(headers: Headers | Record<string, unknown>): void {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  expect(get("x-content-type-options")).toBe("nosniff");
  expect(get("x-frame-options")).toBe("DENY");
  expect(get("content-security-policy")).toContain("default-src 'self'");
  expect(get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(get("referrer-policy")).toBe("same-origin");
  expect(get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
}

describe("what the gateway forwards to the rack", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ rack: { retainObjects: false } });
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    harness.rack.reset();
    harness.rack.setDown(false);
  });

  it("sends the rack's own URL-escaped credentials and the actor, never the client's credentials, cookies or proxy headers", async () => {
    const response = await rawRequest(harness.gatewayUrl, {
      path: `${PREFIX}/apps/myapp/processes?service=web&release=R1`,
      headers: {
        Authorization: basicAuth(harness.tokens.viewer),
        Cookie: "rgw_session=stolen; other=1",
        "Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        Forwarded: "for=203.0.113.9;host=evil.example",
        "X-Convox-Actor": "someone-else@example.com",
        "X-Request-Id": "client-chosen-id",
        "Rack-Gateway-Reveal-Secrets": "true",
        "Accept-Encoding": "gzip, br",
        Range: "bytes=5-",
        ...OPTION_HEADERS,
      },
    });
    expect(response.status).toBe(200);
    const [forwarded, ...others] = harness.rack.requests;
    expect(others).toEqual([]);
    expect(forwarded?.path).toBe("/apps/myapp/processes?service=web&release=R1");
    const headers = forwarded?.headers ?? {};

    const expectedAuthorization = `Basic ${Buffer.from(`convox:${encodeURIComponent(harness.rackPassword)}`).toString("base64")}`;
    expect(headers.authorization).toBe(expectedAuthorization);
    const sentPassword = Buffer.from((headers.authorization ?? "").slice(6), "base64")
      .toString()
      .slice(7);
    expect(harness.rackPassword).toMatch(/[/@]/);
    expect(sentPassword).toContain("%2F");
    expect(sentPassword).toContain("%40");
    expect(JSON.stringify(headers)).not.toContain(harness.tokens.viewer);

    for (const dropped of [
      "cookie",
      "proxy-authorization",
      "x-forwarded-for",
      "x-forwarded-host",
      "x-forwarded-proto",
      "forwarded",
      "rack-gateway-reveal-secrets",
      // The gateway reads every answer whole (masking, scrubbing the rack's password): compressed or partial answers
      // would hide what it must see.
      "accept-encoding",
      "range",
    ]) {
      expect(headers, dropped).not.toHaveProperty(dropped);
    }
    expect(headers["x-request-id"]).not.toBe("client-chosen-id");
    expect(headers["x-convox-actor"]).toBe("viewer-token");
    for (const [name, value] of Object.entries(OPTION_HEADERS)) {
      expect(headers[name.toLowerCase()], name).toBe(value);
    }
    expect(headers.host).toBe(new URL(harness.rack.url).host);
  });

  it("forwards the normalised path it authorized", async () => {
    const cases: Array<[string, string]> = [
      ["/apps/x/../myapp/processes?", "/apps/myapp/processes"],
      ["/apps/./myapp/processes", "/apps/myapp/processes"],
      ["/apps/x/%2e%2e/myapp/processes?all=true", "/apps/myapp/processes?all=true"],
      ["/apps/%6d%79app/processes", "/apps/myapp/processes"],
    ];
    for (const [sent, expected] of cases) {
      harness.rack.reset();
      const response = await rawRequest(harness.gatewayUrl, {
        path: `${PREFIX}${sent}`,
        headers: { Authorization: basicAuth(harness.tokens.viewer) },
      });
      expect(response.status, sent).toBe(200);
      expect(harness.rack.requests.map((request) => request.path)).toEqual([expected]);
      const [event] = await eventsOf(harness, response.headers["x-request-id"] as string);
      expect(event?.path).toBe("/apps/myapp/processes");
    }
  });

  it("authorizes the normalised path, not the one that was sent", async () => {
    const response = await rawRequest(harness.gatewayUrl, {
      method: "POST",
      path: `${PREFIX}/apps/myapp/processes/../services/web/restart`,
      headers: { Authorization: basicAuth(harness.tokens.viewer) },
    });
    expect(response.status).toBe(403);
    expect(harness.rack.requests).toEqual([]);
    const [event] = await eventsOf(harness, response.headers["x-request-id"] as string);
    expect(event).toMatchObject({
      decision: "deny",
      path: "/apps/myapp/services/web/restart",
      permission: "convox:app:restart",
    });
  });

  it("answers 404 UNKNOWN_ROUTE, audited, for escapes, traversal above the root and unknown routes — and forwards nothing", async () => {
    const paths = [
      "/../apps",
      "/%2e%2e/apps",
      "/apps/%2e%2e/%2e%2e/system",
      "/apps/myapp/../../../api/v1/health",
      "/apps/myapp%2fprocesses",
      "/apps/myapp%00/processes",
      "/apps/myapp/%252e%252e/processes",
      "/apps//myapp/processes",
      "/apps/myapp/secrets-dump",
      "/internal/debug",
    ];
    for (const path of paths) {
      const response = await rawRequest(harness.gatewayUrl, {
        path: `${PREFIX}${path}`,
        headers: { Authorization: basicAuth(harness.tokens.admin) },
      });
      expect(response.status, path).toBe(404);
      expect(JSON.parse(response.text), path).toMatchObject({ code: "UNKNOWN_ROUTE" });
      const [event] = await eventsOf(harness, response.headers["x-request-id"] as string);
      expect(event, path).toMatchObject({
        action: "rack.request",
        decision: "deny",
        status: 404,
        actor: { type: "token", name: "admin-token" },
      });
    }
    expect(harness.rack.requests).toEqual([]);
  });

  it("sets the security headers and a request id on proxy answers, denials and the health check", async () => {
    const proxied = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(proxied.status).toBe(200);
    expectSecurityHeaders(proxied.headers);
    const denied = await harness.rackRequest(null, "GET", "/apps?");
    expect(denied.status).toBe(401);
    expectSecurityHeaders(denied.headers);
    const health = await fetch(`${harness.gatewayUrl}/api/v1/health`);
    expectSecurityHeaders(health.headers);
    // Plain http in development: no HSTS (browsers ignore it there anyway).
    expect(health.headers.get("strict-transport-security")).toBeNull();
    expect(proxied.headers.get("x-request-id")).not.toBe(health.headers.get("x-request-id"));
  });

  it("answers /api/v1/health without authentication or internal detail", async () => {
    const health = await fetch(`${harness.gatewayUrl}/api/v1/health`);
    expect(health.status).toBe(200);
    const text = await health.text();
    expect(JSON.parse(text)).toEqual({ status: "ok" });
    const port = new URL(harness.rack.url).port;
    for (const detail of [port, "127.0.0.1", "pglite", "postgres", "version", harness.rackPassword]) {
      expect(text).not.toContain(detail);
    }
  });

  it("reports readiness from the rack: 200 while it answers, 503 once it is down", async () => {
    const ready = await fetch(`${harness.gatewayUrl}/api/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", rack: "ok" } });
    harness.rack.setDown(true);
    const down = await fetch(`${harness.gatewayUrl}/api/v1/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: "unavailable",
      checks: { database: "ok", rack: "unavailable" },
    });
  });

  it("answers 502 RACK_UNAVAILABLE, audited, when the rack is down", async () => {
    harness.rack.setDown(true);
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(response.status).toBe(502);
    expect(response.json()).toEqual({ error: "the rack is unreachable", code: "RACK_UNAVAILABLE" });
    expectSecurityHeaders(response.headers);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ action: "rack.request", decision: "error", status: 502 });
    harness.rack.setDown(false);
    expect((await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status).toBe(200);
  });

  it("streams a 64 MB upload to the rack byte for byte", async () => {
    const chunkBytes = 1024 * 1024;
    const chunks = 64;
    const digest = createHash("sha256");
    let produced = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced === chunks) {
          controller.close();
          return;
        }
        const chunk = randomBytes(chunkBytes);
        digest.update(chunk);
        produced += 1;
        controller.enqueue(new Uint8Array(chunk));
      },
    });
    const response = await harness.rackRequest(
      harness.tokens.deployer,
      "POST",
      "/apps/myapp/objects/tmp/big.tgz",
      {
        body,
        headers: { "Content-Type": "application/octet-stream" },
      },
    );
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ url: "object://myapp/tmp/big.tgz" });
    const upload = harness.rack.requests.find((request) => request.method === "POST");
    expect(upload?.path).toBe("/apps/myapp/objects/tmp/big.tgz");
    expect(upload?.bodyBytes).toBe(chunks * chunkBytes);
    expect(upload?.bodySha256).toBe(digest.digest("hex"));
    expect(harness.rack.state.objects.get("myapp/tmp/big.tgz")?.size).toBe(chunks * chunkBytes);
  });
});

// Connections to the rack are pooled: a request body the rack cannot delimit is read as the start of the next
// request on that connection, which then carries the next request's credentials — the rack's own.
describe("request framing towards the rack (no request smuggling)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  /** Sends `head` and a chunked body holding `smuggled` on a raw connection, and returns the answer's status line. */
  const chunkedRequest = (head: string, token: string, smuggled: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(harness.gatewayUrl);
      const socket = net.connect(Number(url.port), "127.0.0.1");
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("error", reject);
      socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1").split("\r\n")[0] ?? ""));
      const body = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
      // Written, not ended, so that the connection stays open for the answer.
      socket.write(
        `${head} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${basicAuth(token)}\r\n` +
          `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`,
      );
    });

  it.each([
    ["a viewer's OPTIONS /resources", "viewer", "OPTIONS /api/v1/rack-proxy/resources?"],
    [
      "an ops token's DELETE of a process",
      "ops",
      "DELETE /api/v1/rack-proxy/apps/myapp/processes/web-aaaad?",
    ],
  ] as const)(
    "sends %s with its body framed, so the body never runs as a request",
    async (_what, role, head) => {
      const smuggled = "DELETE /apps/myapp HTTP/1.1\r\nX-Ignore: ";
      expect(await chunkedRequest(head, harness.tokens[role], smuggled)).toMatch(/^HTTP\/1\.1 [0-9]{3} /);
      // The next request on the pooled connection would have completed the smuggled one.
      expect((await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status).toBe(200);
      expect(harness.rack.state.apps.has("myapp")).toBe(true);
      const seen = harness.rack.requests.map((request) => `${request.method} ${request.path.split("?")[0]}`);
      expect(seen).not.toContain("DELETE /apps/myapp");
      expect(seen.at(-1)).toBe("GET /apps");
    },
  );

  it("drops a read's body and its Content-Length, so the rack answers at once instead of waiting for it", async () => {
    const started = performance.now();
    const response = await rawRequest(harness.gatewayUrl, {
      method: "GET",
      path: `${PREFIX}/apps?`,
      headers: { Authorization: basicAuth(harness.tokens.viewer), "Content-Length": "5" },
      body: "hello",
    });
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(4_000);
    const [forwarded] = harness.rack.requests;
    expect(forwarded?.headers["content-length"]).toBeUndefined();
    expect(forwarded?.bodyBytes).toBe(0);
  });
});

describe("a hostile or stuck rack", () => {
  const seen: Array<{ path: string; headers: IncomingMessage["headers"] }> = [];
  let hungClosed = false;
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Harness;
  beforeAll(async () => {
    rack = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ path: req.url ?? "", headers: req.headers });
      if (req.url?.startsWith("/apps/stuck/")) {
        // Accepts the request and never answers.
        req.on("close", () => {
          hungClosed = true;
        });
        return;
      }
      const body = JSON.stringify([{ name: "myapp", status: "running" }]);
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Set-Cookie": ["rack_session=abc; Path=/; HttpOnly", "tracking=1; Domain=example.com"],
        "X-Frame-Options": "ALLOWALL",
        "Content-Security-Policy": "default-src *",
        "X-Request-Id": "rack-chosen-id",
        "X-Rack-Version": "3.19.0",
      });
      res.end(body);
    });
    harness = await startHarness({
      env: { RACK_HOST: rack.url, RACK_RESPONSE_TIMEOUT_MS: "300", NODE_ENV: "production" },
    });
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });

  it("never passes the rack's cookies or security-header overrides to the client", async () => {
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expectSecurityHeaders(response.headers);
    expect(response.headers.get("content-security-policy")).not.toContain("default-src *");
    expect(response.headers.get("x-request-id")).not.toContain("rack-chosen-id");
    expect(response.headers.get("x-rack-version")).toBe("3.19.0");
  });

  it("sends HSTS in production mode", async () => {
    const proxied = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(proxied.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const health = await fetch(`${harness.gatewayUrl}/api/v1/health`);
    expect(health.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("answers 504 RACK_TIMEOUT after RACK_RESPONSE_TIMEOUT_MS, audited, and drops the stuck connection", async () => {
    const startedAt = performance.now();
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps/stuck/processes?");
    const elapsedMs = performance.now() - startedAt;
    expect(response.status).toBe(504);
    expect(response.json()).toEqual({ error: "the rack did not answer in time", code: "RACK_TIMEOUT" });
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(3_000);
    expect(seen.some((request) => request.path === "/apps/stuck/processes")).toBe(true);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ action: "rack.request", decision: "error", status: 504 });
    await expect.poll(() => hungClosed).toBe(true);
  });
});

describe("a rack that closes idle keep-alive connections", () => {
  // The rack resets a connection when a second request arrives on it: what a client sees when the rack's idle
  // timeout closes a pooled connection at the moment the gateway sends on it.
  const requests: string[] = [];
  const servedOn = new WeakMap<object, number>();
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Harness;
  beforeAll(async () => {
    rack = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
      requests.push(`${req.method} ${req.url}`);
      const served = (servedOn.get(req.socket) ?? 0) + 1;
      servedOn.set(req.socket, served);
      if (served > 1) {
        req.socket.resetAndDestroy();
        return;
      }
      req.resume();
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end("[]"));
    });
    harness = await startHarness({ env: { RACK_HOST: rack.url } });
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });
  beforeEach(() => {
    requests.length = 0;
  });

  it("sends a read again on a fresh connection, so the client never sees the race", async () => {
    const first = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps/web/processes?");
    expect(first.status).toBe(200);
    const second = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps/web/processes?");
    expect(second.status).toBe(200);
    // Once on the pooled connection (reset), once more on a new one.
    expect(requests).toEqual(Array(3).fill("GET /apps/web/processes"));
    const [event] = await eventsOf(harness, second.headers.get("x-request-id"));
    expect(event).toMatchObject({ action: "rack.request", decision: "allow", status: 200 });
  });

  it("never sends a mutation twice: the client gets 502 and decides", async () => {
    // Streamed bodies have a pool of their own: warm it with one upload, so the next goes out on that connection.
    const warm = await harness.rackRequest(harness.tokens.admin, "POST", "/apps/web/objects/tmp/warm.txt?", {
      body: "warm",
    });
    expect(warm.status).toBe(200);
    const upload = await harness.rackRequest(harness.tokens.admin, "POST", "/apps/web/objects/tmp/a.txt?", {
      body: "payload",
    });
    expect(upload.status).toBe(502);
    expect(upload.json()).toMatchObject({ code: "RACK_UNAVAILABLE" });
    expect(requests.filter((line) => line.startsWith("POST"))).toEqual([
      "POST /apps/web/objects/tmp/warm.txt",
      "POST /apps/web/objects/tmp/a.txt",
    ]);
  });
});
