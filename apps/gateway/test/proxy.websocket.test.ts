// Threat: websocket sessions (exec, logs) bypass authorization or the audit trail, or the relay reorders, drops or retypes frames so that stdin, EOF or exit codes are lost.
import type { IncomingMessage } from "node:http";
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { encodeBasicAuth } from "@rack-gateway/convox-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { startLoopbackServer } from "./proxy-helpers.js";

const EXIT_MARKER = "F1E49A85-0AD7-4AEF-A618-C249C6E6568D:";

interface Frame {
  readonly data: Buffer;
  readonly binary: boolean;
}

/** Collects every frame and the close of a socket. */
function record(socket: WebSocket) {
  const frames: Frame[] = [];
  socket.on("message", (data: Buffer, binary: boolean) => frames.push({ data, binary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { frames, closed };
}

/**
 * Opens a socket through the proxy like the convox CLI and records from the first frame on (the rack may
 * send output in the same packet as its 101, before a listener attached after `open` would see it).
 */
function connect(harness: Harness, token: string, path: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${harness.proxyUrl.replace(/^http/, "ws")}${path}`, {
    headers: { Authorization: basicAuth(token), ...headers },
    origin: harness.gatewayUrl,
  });
  const recorded = record(socket);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, opened, ...recorded };
}

function refusal(promise: Promise<WebSocket>): Promise<{ status?: number; body?: string } | null> {
  return promise.then(
    (socket) => {
      socket.terminate();
      return null;
    },
    (error: { status?: number; body?: string }) => error,
  );
}

async function sessionEnd(harness: Harness, path: string): Promise<AuditEvent> {
  let found: AuditEvent | undefined;
  await expect
    .poll(async () => {
      const records = await harness.auditRecords();
      found = records
        .map((record) => record.event)
        .filter((event) => event.action === "rack.websocket.end" && event.path === path)
        .at(-1);
      return found !== undefined;
    })
    .toBe(true);
  return found as AuditEvent;
}

describe("websocket relay through the fake rack", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  const pid = () => harness.rack.state.processes.find((process) => process.app === "myapp")?.id ?? "";

  it("relays 200 stdin frames through cat in order, passes EOF both ways and audits the exit code", async () => {
    const path = `/apps/myapp/processes/${pid()}/exec`;
    const socket = await harness.openSocket(harness.tokens.ops, path, { Command: "cat", Tty: "false" });
    const { frames, closed } = record(socket);
    const lines = Array.from({ length: 200 }, (_, index) => `line ${index} ${"·".repeat(index % 7)}\n`);
    for (const line of lines) socket.send(line);
    socket.send(Buffer.alloc(0), { binary: true });
    expect(await closed).toEqual({ code: 1000, reason: "" });

    expect(frames.slice(0, 200).map((frame) => [frame.binary, frame.data.toString("utf8")])).toEqual(
      lines.map((line) => [false, line]),
    );
    // cat only stops at stdin EOF, so the exit frame proves the client's empty binary frame reached the rack.
    expect(frames.slice(200).map((frame) => [frame.binary, frame.data.toString("utf8")])).toEqual([
      [false, `${EXIT_MARKER}0\n`],
      [true, ""],
    ]);

    const end = await sessionEnd(harness, path);
    expect(end).toMatchObject({
      decision: "allow",
      status: 101,
      actor: { type: "token", name: "ops-token" },
      permission: "convox:process:exec",
      params: { "header.command": "cat", "header.tty": "false" },
      detail: {
        exitCode: 0,
        framesFromClient: 201,
        framesFromRack: 202,
        bytesFromClient: lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0),
        closedBy: "rack",
      },
    });
    expect(typeof end.detail?.durationMs).toBe("number");
    const records = await harness.auditRecords();
    const start = records.find(
      (record) => record.event.action === "rack.websocket.start" && record.event.requestId === end.requestId,
    );
    expect(start?.seq).toBeLessThan(
      records.find(
        (record) => record.event.requestId === end.requestId && record.event.action === "rack.websocket.end",
      )?.seq ?? 0,
    );
  });

  it("carries a non-zero exit code into the audit event", async () => {
    const path = `/apps/myapp/processes/${pid()}/exec`;
    const { opened, frames, closed } = connect(harness, harness.tokens.ops, path, { Command: "exit 3" });
    await opened;
    await closed;
    expect(frames.map((frame) => frame.data.toString("utf8"))).toEqual([`${EXIT_MARKER}3\n`, ""]);
    expect((await sessionEnd(harness, path)).detail).toMatchObject({ exitCode: 3 });
  });

  it("speaks to the rack as the rack's own origin, which the rack's Origin check requires", async () => {
    const socket = await harness.openSocket(harness.tokens.viewer, "/apps/myapp/logs", {});
    const { closed } = record(socket);
    await closed;
    const upgrade = harness.rack.requests.find((request) => request.websocket);
    expect(upgrade?.headers.origin).toBe(harness.rack.url);
    expect(upgrade?.headers.host).toBe(new URL(harness.rack.url).host);
    expect(upgrade?.headers.authorization).toBe(encodeBasicAuth(harness.rackPassword));

    // The same upgrade with the client's Origin (the gateway's) is refused by the rack.
    const direct = new WebSocket(`${harness.rack.url.replace(/^http/, "ws")}/apps/myapp/logs`, {
      headers: { Authorization: encodeBasicAuth(harness.rackPassword) },
      origin: harness.gatewayUrl,
    });
    direct.on("error", () => {});
    const status = await new Promise<number>((resolve, reject) => {
      direct.once("unexpected-response", (_request, response: IncomingMessage) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      direct.once("open", () => reject(new Error("the fake rack accepted a foreign Origin")));
    });
    direct.terminate();
    expect(status).toBe(403);
  });

  it("closes the client when the rack ends the stream", async () => {
    const { opened, frames, closed } = connect(
      harness,
      harness.tokens.viewer,
      "/apps/myapp/services/web/logs",
    );
    await opened;
    expect(await closed).toEqual({ code: 1000, reason: "" });
    expect(frames.map((frame) => [frame.binary, frame.data.toString()])).toEqual([
      [false, "log of service web\n"],
      [true, ""],
    ]);
    expect((await sessionEnd(harness, "/apps/myapp/services/web/logs")).detail).toMatchObject({
      closedBy: "rack",
    });
  });

  it("streams Follow logs live as the rack emits them", async () => {
    const socket = await harness.openSocket(harness.tokens.viewer, "/apps/myapp/logs", {
      Follow: "true",
      Prefix: "false",
    });
    const { frames, closed } = record(socket);
    const texts = () => frames.map((frame) => frame.data.toString());
    harness.rack.emitLog("myapp", "first live line");
    await expect.poll(texts).toContain("first live line\n");
    harness.rack.emitLog("myapp", "second live line");
    await expect.poll(texts).toContain("second live line\n");
    expect(texts().indexOf("first live line\n")).toBeLessThan(texts().indexOf("second live line\n"));
    socket.close(1000);
    await closed;
    expect((await sessionEnd(harness, "/apps/myapp/logs")).detail).toMatchObject({ closedBy: "client" });
  });

  it("refuses a denied upgrade (viewer exec) with 403, audited, without opening anything upstream", async () => {
    const path = `/apps/myapp/processes/${pid()}/exec`;
    const refused = await refusal(harness.openSocket(harness.tokens.viewer, path, { Command: "cat" }));
    expect(refused?.status).toBe(403);
    expect(JSON.parse(refused?.body ?? "{}")).toMatchObject({ code: "FORBIDDEN" });
    expect(harness.rack.requests).toEqual([]);
    const records = await harness.auditRecords();
    expect(records.at(-1)?.event).toMatchObject({
      action: "rack.request",
      method: "SOCKET",
      decision: "deny",
      status: 403,
      actor: { type: "token", name: "viewer-token" },
      permission: "convox:process:exec",
    });
  });

  it("refuses an unauthenticated upgrade with 401 and the rack's challenge", async () => {
    const refused = await refusal(harness.openSocket(null, "/apps/myapp/logs", { Follow: "true" }));
    expect(refused?.status).toBe(401);
    expect(JSON.parse(refused?.body ?? "{}")).toEqual({
      error: "invalid authentication",
      code: "INVALID_AUTHENTICATION",
    });
    expect(harness.rack.requests).toEqual([]);
  });
});

describe("websocket relay against a scripted rack", () => {
  const sessions: Array<{
    socket: WebSocket;
    request: IncomingMessage;
    frames: Frame[];
    closed: Promise<{ code: number; reason: string }>;
  }> = [];
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let wss: WebSocketServer;
  let harness: Harness;
  beforeAll(async () => {
    rack = await startLoopbackServer((_req, res) =>
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok"),
    );
    wss = new WebSocketServer({ noServer: true });
    rack.server.on("upgrade", (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (ws) => sessions.push({ socket: ws, request, ...record(ws) })),
    );
    harness = await startHarness({ env: { RACK_HOST: rack.url } });
  });
  afterAll(async () => {
    await harness.close();
    wss.close();
    await rack.close();
  });
  beforeEach(() => {
    sessions.length = 0;
  });

  const open = async (path = "/apps/myapp/logs") => {
    const client = await harness.openSocket(harness.tokens.viewer, path, { Follow: "true" });
    await expect.poll(() => sessions.length).toBe(1);
    return { client, ...record(client), upstream: sessions[0]! };
  };

  it("keeps frame types both ways, including the empty binary EOF frame", async () => {
    const { client, frames, upstream } = await open();
    client.send("stdin text");
    client.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    client.send(Buffer.alloc(0), { binary: true });
    upstream.socket.send("output text");
    upstream.socket.send(Buffer.alloc(0), { binary: true });
    await expect.poll(() => upstream.frames.length).toBe(3);
    await expect.poll(() => frames.length).toBe(2);
    expect(upstream.frames.map((frame) => [frame.binary, [...frame.data]])).toEqual([
      [false, [...Buffer.from("stdin text")]],
      [true, [0, 1, 2, 255]],
      [true, []],
    ]);
    expect(frames.map((frame) => [frame.binary, frame.data.toString()])).toEqual([
      [false, "output text"],
      [true, ""],
    ]);
    client.terminate();
  });

  it("closes the rack side with the client's close code when the client closes", async () => {
    const { client, upstream } = await open();
    client.close(4001, "client done");
    expect(await upstream.closed).toEqual({ code: 4001, reason: "client done" });
    expect((await sessionEnd(harness, "/apps/myapp/logs")).detail).toMatchObject({ closedBy: "client" });
  });

  it("closes the client with the rack's close code when the rack closes", async () => {
    const { closed, upstream } = await open();
    upstream.socket.close(4002, "rack done");
    expect(await closed).toEqual({ code: 4002, reason: "rack done" });
  });

  it("closes the rack side when the client vanishes without a close frame", async () => {
    const { client, upstream } = await open();
    client.terminate();
    expect((await upstream.closed).code).toBe(1000);
  });

  it("forwards the option headers and the actor, never the client's credentials", async () => {
    const { client, upstream } = await open();
    const headers = upstream.request.headers;
    expect(headers.follow).toBe("true");
    expect(headers["x-convox-actor"]).toBe("viewer-token");
    expect(headers.authorization).toBe(encodeBasicAuth(harness.rackPassword));
    expect(JSON.stringify(headers)).not.toContain(harness.tokens.viewer);
    client.terminate();
  });
});
