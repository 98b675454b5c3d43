// Threat: a deployer opens hundreds of uploads that declare a huge body and then stall, holding every pooled rack connection forever, so everyone else's calls (a viewer's `GET /apps`) time out.
import http, { type IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { eventsOf, startLoopbackServer } from "./proxy-helpers.js";

const IDLE_MS = 300;

/** An upload that declares `declared` bytes and sends `first`; resolves with the gateway's answer, if any. */
function startUpload(
  harness: Harness,
  token: string,
  key: string,
  options: { declared: number; first: Buffer },
): { request: http.ClientRequest; response: Promise<IncomingMessage & { text: string }> } {
  const url = new URL(`${harness.proxyUrl}/apps/myapp/objects/tmp/${key}`);
  const request = http.request({
    host: url.hostname,
    port: url.port,
    method: "POST",
    path: url.pathname,
    agent: false,
    headers: {
      Authorization: basicAuth(token),
      "Content-Type": "application/octet-stream",
      "Content-Length": String(options.declared),
    },
  });
  const response = new Promise<IncomingMessage & { text: string }>((resolve, reject) => {
    request.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        resolve(Object.assign(incoming, { text: Buffer.concat(chunks).toString("utf8") })),
      );
      incoming.on("error", reject);
    });
    request.on("error", reject);
  });
  request.write(options.first);
  return { request, response };
}

describe("a stalled upload body is cut after RACK_BODY_IDLE_TIMEOUT_MS", () => {
  let harness: Harness;
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  const rackSide: { request: IncomingMessage; closedEarly: Promise<boolean> }[] = [];
  const uploads: http.ClientRequest[] = [];
  beforeAll(async () => {
    // A rack that reads whatever arrives and answers once the body is complete.
    rack = await startLoopbackServer((req, res) => {
      rackSide.push({
        request: req,
        closedEarly: new Promise((resolve) => req.on("close", () => resolve(!req.complete))),
      });
      req.resume();
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"url":"x"}'));
    });
    harness = await startHarness({
      env: { RACK_HOST: rack.url, RACK_BODY_IDLE_TIMEOUT_MS: String(IDLE_MS) },
    });
  });
  afterEach(() => {
    for (const upload of uploads) upload.destroy();
    uploads.length = 0;
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });

  it("answers 408, closes the client's connection, destroys the rack request and audits it", async () => {
    const startedAt = Date.now();
    const upload = startUpload(harness, harness.tokens.deployer, "stall.tgz", {
      declared: 1_000_000_000,
      first: Buffer.from([0x1f]),
    });
    uploads.push(upload.request);
    const response = await upload.response;
    expect(response.statusCode).toBe(408);
    expect(JSON.parse(response.text)).toMatchObject({ code: "REQUEST_TIMEOUT" });
    expect(response.headers.connection).toBe("close");
    expect(Date.now() - startedAt).toBeLessThan(IDLE_MS + 3000);

    expect(rackSide).toHaveLength(1);
    expect(await rackSide[0]?.closedEarly).toBe(true);
    const events = await eventsOf(harness, String(response.headers["x-request-id"]));
    expect(events.map((event) => event.action)).toEqual(["rack.request.intent", "rack.request"]);
    expect(events[1]).toMatchObject({ decision: "deny", status: 408 });
  });

  it("lets a slow upload through as long as bytes keep coming", async () => {
    rackSide.length = 0;
    const chunks = 8;
    const upload = startUpload(harness, harness.tokens.deployer, "slow.tgz", {
      declared: chunks,
      first: Buffer.from([0]),
    });
    uploads.push(upload.request);
    for (let sent = 1; sent < chunks; sent++) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS / 2));
      upload.request.write(Buffer.from([sent]));
    }
    upload.request.end();
    const response = await upload.response;
    // Longer in total than the idle timeout, never idle for it.
    expect(response.statusCode).toBe(200);
    expect(await rackSide[0]?.closedEarly).toBe(false);
  });
});

describe("uploads cannot starve other calls of rack connections", () => {
  let harness: Harness;
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let uploadsAtRack = 0;
  const uploads: http.ClientRequest[] = [];
  beforeAll(async () => {
    // A rack that waits for each upload's body forever and answers reads at once.
    rack = await startLoopbackServer((req, res) => {
      if (req.method === "POST") {
        uploadsAtRack++;
        req.resume();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end("[]");
    });
    // The reviewer's scenario: the idle timeout is far away, so every stalled upload holds its rack connection. (One
    // identity is held to RACK_MAX_CONCURRENT_CALLS at once; lifted here, as if many identities stalled together.)
    harness = await startHarness({
      env: { RACK_HOST: rack.url, RACK_CONNECT_TIMEOUT_MS: "2000", RACK_MAX_CONCURRENT_CALLS: "1000" },
    });
  });
  afterEach(() => {
    for (const upload of uploads) upload.destroy();
    uploads.length = 0;
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });

  it("a viewer's GET /apps answers 200 while 260 uploads stall", { timeout: 30_000 }, async () => {
    for (let index = 0; index < 260; index++) {
      const upload = startUpload(harness, harness.tokens.deployer, `tmp-${index}.tgz`, {
        declared: 1_000_000_000,
        first: Buffer.from([0x1f]),
      });
      upload.response.catch(() => {});
      uploads.push(upload.request);
    }
    // As many uploads as the rack will take are holding a connection before the read is sent.
    const deadline = Date.now() + 10_000;
    while (uploadsAtRack < 256 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(uploadsAtRack).toBeGreaterThanOrEqual(256);
    // Before the fix the read waited for a pooled connection until RACK_CONNECT_TIMEOUT_MS, then got 504.
    const apps = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(apps.status).toBe(200);
  });
});
