// Threat: a malformed, abandoned or refused websocket upgrade — or a gateway shutdown — leaves a rack session (a running exec) open with no end in the audit trail, the relay corrupts or kills a live session, or a secret in the Command header reaches the audit log.
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { allAuditText, startLoopbackServer } from "./proxy-helpers.js";

interface RackSession {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  readonly frames: Array<{ data: Buffer; binary: boolean }>;
  readonly closed: Promise<number>;
  isOpen(): boolean;
}

interface HeldUpgrade {
  readonly request: IncomingMessage;
  readonly closed: Promise<void>;
  accept(): void;
}

/**
 * A rack on loopback that answers upgrades by app name: `missing` → 404, `hold-…` → held until the test accepts
 * it, anything else → accepted at once. It never checks UTF-8 (gorilla/websocket does not either).
 */
async function startScriptedRack() {
  const upgrades: IncomingMessage[] = [];
  const sessions: RackSession[] = [];
  const held: HeldUpgrade[] = [];
  const server = await startLoopbackServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, skipUTF8Validation: true });
  const accept = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    wss.handleUpgrade(request, socket, head, (ws) => {
      const frames: RackSession["frames"] = [];
      ws.on("message", (data: Buffer, binary: boolean) => frames.push({ data, binary }));
      const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
      sessions.push({
        socket: ws,
        request,
        frames,
        closed,
        isOpen: () => ws.readyState === WebSocket.OPEN,
      });
    });
  server.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades.push(request);
    const app = (request.url ?? "").split("/")[2] ?? "";
    if (app === "missing") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    } else if (app.startsWith("hold-")) {
      // Read (nothing is expected before the 101) so that the gateway hanging up is seen, as a real rack sees it.
      socket.resume();
      socket.once("end", () => socket.destroy());
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      held.push({ request, closed, accept: () => accept(request, socket, head) });
    } else {
      accept(request, socket, head);
    }
  });
  return {
    url: server.url,
    upgrades,
    sessions,
    held,
    reset() {
      upgrades.length = 0;
      sessions.length = 0;
      held.length = 0;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await server.close();
    },
  };
}

/** An upgrade written byte for byte, the way an attacker (or a broken client) can send it. */
function rawUpgrade(
  harness: Harness,
  options: { path: string; method?: string; headers?: Record<string, string>; omit?: readonly string[] },
) {
  const headers: Record<string, string> = {
    Host: new URL(harness.gatewayUrl).host,
    Authorization: basicAuth(harness.tokens.admin),
    Origin: harness.gatewayUrl,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
    "Sec-WebSocket-Version": "13",
    ...options.headers,
  };
  for (const name of options.omit ?? []) delete headers[name];
  const socket = net.connect(Number(new URL(harness.gatewayUrl).port), "127.0.0.1");
  socket.on("error", () => {});
  let received = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  socket.write(
    `${options.method ?? "GET"} /api/v1/rack-proxy${options.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`,
  );
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    socket,
    closed,
    received: () => received,
    /** Resolves once a close frame (opcode 0x8) follows the 101 answer; a raw client never answers it. */
    closeFrame: async () => {
      await expect
        .poll(() => {
          const body = received.subarray(received.indexOf("\r\n\r\n") + 4);
          return body.includes(0x88);
        })
        .toBe(true);
      socket.destroy();
    },
    /** The status line's code, once the whole head has arrived. */
    status: async () => {
      await expect.poll(() => received.includes("\r\n\r\n")).toBe(true);
      return Number(received.toString("latin1").split(" ")[1]);
    },
  };
}

function eventsAt(records: readonly { event: AuditEvent }[], path: string): AuditEvent[] {
  return records.map((record) => record.event).filter((event) => event.path === path);
}

function actionsAt(records: readonly { event: AuditEvent }[], path: string): string[] {
  return eventsAt(records, path).map((event) => event.action);
}

/** A websocket client that, like the convox CLI (gorilla/websocket), does not check text frames for UTF-8. */
function openLenientSocket(harness: Harness, path: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${harness.proxyUrl.replace(/^http/, "ws")}${path}`, {
    headers: { Authorization: basicAuth(harness.tokens.admin), ...headers },
    origin: harness.gatewayUrl,
    skipUTF8Validation: true,
  });
  const frames: Array<{ data: Buffer; binary: boolean }> = [];
  socket.on("message", (data: Buffer, binary: boolean) => frames.push({ data, binary }));
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { socket, frames, closed, opened };
}

describe("websocket sessions against a scripted rack", () => {
  let rack: Awaited<ReturnType<typeof startScriptedRack>>;
  let harness: Harness;
  beforeAll(async () => {
    rack = await startScriptedRack();
    harness = await startHarness({ env: { RACK_HOST: rack.url } });
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });
  beforeEach(() => rack.reset());

  describe("a malformed client handshake is refused before anything reaches the rack", () => {
    it.each([
      ["a bad Sec-WebSocket-Key", "bad-key", { headers: { "Sec-WebSocket-Key": "not-a-key" } }, 400],
      ["no Sec-WebSocket-Key", "no-key", { omit: ["Sec-WebSocket-Key"] }, 400],
      ["Sec-WebSocket-Version 8", "old-version", { headers: { "Sec-WebSocket-Version": "8" } }, 400],
      [
        "a broken Sec-WebSocket-Protocol",
        "bad-protocol",
        { headers: { "Sec-WebSocket-Protocol": "a,,b" } },
        400,
      ],
      ["POST with Upgrade: websocket", "post-upgrade", { method: "POST" }, 405],
    ] as const)("%s", async (_name, app, options, expectedStatus) => {
      const path = `/apps/${app}/processes/p1/exec`;
      const client = rawUpgrade(harness, { path, headers: { Command: "rm -rf /tmp/x" }, ...options });
      expect(await client.status()).toBe(expectedStatus);
      await client.closed;
      expect(rack.upgrades).toEqual([]);
      const events = eventsAt(await harness.auditRecords(), path);
      expect(events.map((event) => event.action)).toEqual(["rack.request"]);
      expect(events[0]).toMatchObject({ method: "SOCKET", decision: "deny", status: expectedStatus });
    });
  });

  it("ends the rack session and audits its end when the client leaves during the rack's handshake", async () => {
    const path = "/apps/hold-leaver/processes/p1/exec";
    const client = rawUpgrade(harness, { path, headers: { Command: "rm -rf /tmp/x" } });
    await expect.poll(() => rack.held.length).toBe(1);
    const held = rack.held[0] as HeldUpgrade;
    client.socket.destroy();
    await client.closed;
    // The rack answers only after the client is gone (if the gateway has not hung up on it already).
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.accept();
    await held.closed;
    expect(rack.sessions.filter((session) => session.isOpen())).toEqual([]);
    await expect
      .poll(async () => actionsAt(await harness.auditRecords(), path))
      .toEqual(["rack.websocket.start", "rack.websocket.end"]);
  });

  it("audits a refused rack upgrade (404) exactly once", async () => {
    const path = "/apps/missing/logs";
    const client = rawUpgrade(harness, { path });
    expect(await client.status()).toBe(404);
    await client.closed;
    // Give a duplicate (the terminate-then-error path) time to land before looking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ends = eventsAt(await harness.auditRecords(), path).filter(
      (event) => event.action === "rack.websocket.end",
    );
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ status: 404, decision: "deny" });
  });

  it("relays text frames that are not valid UTF-8 byte for byte, both ways", async () => {
    const path = "/apps/bytes/processes/p1/exec";
    const client = openLenientSocket(harness, path, { Command: "cat" });
    await client.opened;
    await expect.poll(() => rack.sessions.length).toBe(1);
    const session = rack.sessions[0] as RackSession;
    // "café\n" split by the process's output buffering inside the é.
    session.socket.send(Buffer.from([0x63, 0x61, 0x66, 0xc3]), { binary: false });
    session.socket.send(Buffer.from([0xa9, 0x0a]), { binary: false });
    await expect.poll(() => client.frames.length).toBe(2);
    expect(client.frames.map((frame) => [frame.binary, [...frame.data]])).toEqual([
      [false, [0x63, 0x61, 0x66, 0xc3]],
      [false, [0xa9, 0x0a]],
    ]);
    // Latin-1 stdin from a terminal.
    client.socket.send(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), { binary: false });
    await expect.poll(() => session.frames.length).toBe(1);
    expect(session.frames.map((frame) => [frame.binary, [...frame.data]])).toEqual([
      [false, [0x63, 0x61, 0x66, 0xe9, 0x0a]],
    ]);
    expect(session.isOpen()).toBe(true);
    client.socket.close(1000);
    expect(await client.closed).toBe(1000);
  });

  it("overwrites the rack's own password in frames the rack sends (a build pod's RACK_URL in its output)", async () => {
    const path = "/apps/echo/processes/p1/exec";
    const client = openLenientSocket(harness, path, { Command: "env" });
    await client.opened;
    await expect.poll(() => rack.sessions.length).toBe(1);
    const session = rack.sessions[0] as RackSession;
    const line = `RACK_URL=https://convox:${encodeURIComponent(harness.rackPassword)}@api.rack\n`;
    session.socket.send(Buffer.from(line), { binary: false });
    await expect.poll(() => client.frames.length).toBe(1);
    const relayed = client.frames[0]?.data.toString() ?? "";
    expect(relayed).toHaveLength(line.length);
    expect(relayed).not.toContain(encodeURIComponent(harness.rackPassword));
    expect(relayed).toMatch(/^RACK_URL=https:\/\/convox:\*+@api\.rack\n$/);
    client.socket.close(1000);
    await client.closed;
    await expect
      .poll(async () =>
        eventsAt(await harness.auditRecords(), path).find((e) => e.action === "rack.websocket.end"),
      )
      .toMatchObject({ detail: expect.objectContaining({ rackLoginEchoesOverwritten: 1 }) });
  });

  it("overwrites the rack's password where it straddles two frames, and never stalls a frame that only might begin it", async () => {
    const path = "/apps/echo2/processes/p1/exec";
    const client = openLenientSocket(harness, path, { Command: "env" });
    await client.opened;
    await expect.poll(() => rack.sessions.length).toBe(1);
    const session = rack.sessions[0] as RackSession;
    const password = encodeURIComponent(harness.rackPassword);
    const line = `RACK_URL=https://convox:${password}@api.rack\n`;
    const cut = line.indexOf(password) + 6;
    session.socket.send(Buffer.from(line.slice(0, cut)), { binary: false });
    session.socket.send(Buffer.from(line.slice(cut)), { binary: false });
    await expect
      .poll(() => client.frames.map((frame) => frame.data.toString()).join(""))
      .toHaveLength(line.length);
    const relayed = client.frames.map((frame) => frame.data.toString()).join("");
    expect(relayed).not.toContain(password.slice(0, 6));
    expect(relayed).toMatch(/^RACK_URL=https:\/\/convox:\*+@api\.rack\n$/);

    // Output that merely ends like the password's beginning reaches the client on its own, promptly.
    const before = client.frames.length;
    session.socket.send(Buffer.from(`$ ${password.slice(0, 3)}`), { binary: false });
    await expect
      .poll(
        () =>
          client.frames
            .slice(before)
            .map((frame) => frame.data.toString())
            .join(""),
        { timeout: 1_000 },
      )
      .toBe(`$ ${password.slice(0, 3)}`);
    client.socket.close(1000);
    await client.closed;
  });

  it("never writes an HTTP response onto an upgraded socket when the rack breaks the protocol", async () => {
    const path = "/apps/broken/logs";
    const client = rawUpgrade(harness, { path });
    expect(await client.status()).toBe(101);
    await expect.poll(() => rack.sessions.length).toBe(1);
    // A frame with the reserved opcode 0x3: the gateway's rack connection fails on it.
    const session = rack.sessions[0] as RackSession;
    (session.socket as unknown as { _socket: net.Socket })._socket.write(Buffer.from([0x83, 0x00]));
    await client.closeFrame();
    const afterHandshake = client.received().subarray(client.received().indexOf("\r\n\r\n") + 4);
    expect(afterHandshake.toString("latin1")).not.toContain("HTTP/1.1");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(actionsAt(await harness.auditRecords(), path)).toEqual([
      "rack.websocket.start",
      "rack.websocket.end",
    ]);
  });

  it("forwards a query that carries a fragment without leaving the session half-audited", async () => {
    const path = "/apps/fragment/logs";
    const client = rawUpgrade(harness, { path: `${path}?since=5s#frag` });
    expect(await client.status()).toBe(101);
    await expect.poll(() => rack.sessions.length).toBe(1);
    expect(rack.sessions[0]?.request.url).toBe(`${path}?since=5s`);
    rack.sessions[0]?.socket.close(1000);
    await client.closeFrame();
    await expect
      .poll(async () => actionsAt(await harness.auditRecords(), path))
      .toEqual(["rack.websocket.start", "rack.websocket.end"]);
  });

  it("keeps command-line credentials in the Command header out of the audit trail", async () => {
    const commands = [
      "mysql -u root -pHunter2Secret mydb",
      "mysql --password Hunter2Secret mydb",
      "curl -u admin:Hunter2Secret https://example.com/",
    ];
    for (const command of commands) {
      const client = openLenientSocket(harness, "/apps/commands/processes/p1/exec", { Command: command });
      await client.opened;
      client.socket.close(1000);
      await client.closed;
    }
    const records = await harness.auditRecords();
    const logged = eventsAt(records, "/apps/commands/processes/p1/exec").map(
      (event) => event.params?.["header.command"],
    );
    expect(logged).toContain("mysql -u root -p[REDACTED] mydb");
    expect(await allAuditText(harness)).not.toContain("Hunter2Secret");
  });

  it("keeps them out of the audit trail of the run call (HTTP) too", async () => {
    const response = await harness.rackRequest(
      harness.tokens.admin,
      "POST",
      "/apps/runs/services/web/processes",
      {
        headers: { Command: "mysql -u root -pHunter2Secret mydb" },
      },
    );
    expect(response.status).toBe(404);
    const commands = eventsAt(await harness.auditRecords(), "/apps/runs/services/web/processes").map(
      (event) => event.params?.["header.command"],
    );
    expect(commands).toContain("mysql -u root -p[REDACTED] mydb");
    expect(await allAuditText(harness)).not.toContain("Hunter2Secret");
  });
});

describe("gateway shutdown with websocket sessions open", () => {
  let rack: Awaited<ReturnType<typeof startScriptedRack>>;
  let harness: Harness;
  beforeEach(async () => {
    rack = await startScriptedRack();
    harness = await startHarness({ env: { RACK_HOST: rack.url } });
  });
  afterEach(async () => {
    await harness.close();
    await rack.close();
  });

  const committedActions = (path: string) =>
    harness.auditLines
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((event) => event.path === path)
      .map((event) => event.action);

  it("writes the end of an open Follow session before the audit log closes", async () => {
    const path = "/apps/follow/logs";
    const client = openLenientSocket(harness, path, { Follow: "true" });
    await client.opened;
    await expect.poll(() => rack.sessions.length).toBe(1);
    await harness.gateway.close();
    expect(committedActions(path)).toEqual(["rack.websocket.start", "rack.websocket.end"]);
    const end = harness.auditLines.map((line) => JSON.parse(line) as AuditEvent).at(-1);
    expect(end?.detail).toMatchObject({ closedBy: "gateway" });
    await client.closed;
    await rack.sessions[0]?.closed;
  });

  it("ends a rack session whose handshake is still pending, and audits its end", async () => {
    const path = "/apps/hold-shutdown/logs";
    const client = rawUpgrade(harness, { path });
    await expect.poll(() => rack.held.length).toBe(1);
    await harness.gateway.close();
    expect(committedActions(path)).toEqual(["rack.websocket.start", "rack.websocket.end"]);
    await client.closed;
    // The rack learns at once that the session will never start.
    await rack.held[0]?.closed;
  });
});
