/**
 * The websocket half of the rack proxy (logs, exec, run, build logs, shells; RFC 6455). The upgrade is
 * authorized exactly like an HTTP call (method SOCKET). Only once the rack has accepted its own upgrade is the
 * client's upgrade completed, so no frame can arrive before there is somewhere to send it; frames are then
 * relayed one for one in both directions — text stays text, binary stays binary, and the empty binary frame that
 * marks end-of-stream passes like any other. Either side closing closes the other.
 */
import { type IncomingMessage, STATUS_CODES } from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { JsonValue } from "@rack-gateway/audit-chain";
import WebSocket, { WebSocketServer } from "ws";
import type { AuditLog } from "../audit/audit-log.js";
import { errorBody, GatewayError, toGatewayError } from "../http/errors.js";
import { type RackCallContext, type RackCallDeps, rackCallEvent, resolveRackCall } from "./rack-call.js";
import { forwardableRequestHeaders, type RackForwarder } from "./rack-forwarder.js";

export interface WebSocketProxyDeps extends RackCallDeps {
  readonly forwarder: RackForwarder;
  readonly audit: AuditLog;
  readonly responseHeaders: Record<string, string>;
  readonly handshakeTimeoutMs: number;
  readonly logError: (message: string, error: unknown) => void;
}

/** The text frame convox sends before EOF to carry a process's exit code. */
export const EXIT_CODE_MARKER = "F1E49A85-0AD7-4AEF-A618-C249C6E6568D:";
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
function rejectUpgrade(socket: Duplex, error: GatewayError, headers: Record<string, string>): void {
  if (socket.destroyed) return;
  const body = errorBody(error);
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Error"}`,
    ...Object.entries({ ...headers, ...error.headers }).map(([name, value]) => `${name}: ${value}`),
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** Close codes a peer may send (RFC 6455 §7.4); 1005/1006/1015 are reserved for reporting only. */
function sendableCloseCode(code: number): number {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
    ? code
    : 1000;
}

export function createWebSocketProxy(deps: WebSocketProxyDeps) {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_PAYLOAD_BYTES,
  });
  const rackWsBase = `${deps.forwarder.target.url.protocol === "https:" ? "wss:" : "ws:"}//${deps.forwarder.target.url.host}${deps.forwarder.target.url.pathname.replace(/\/+$/, "")}`;

  async function handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    context: RackCallContext,
  ): Promise<void> {
    socket.on("error", () => socket.destroy());
    const headers = { ...deps.responseHeaders, "X-Request-Id": context.requestId };
    const resolution = await resolveRackCall(context, req.headers, deps);
    if (resolution.kind === "denied") {
      deps.audit.record(resolution.event);
      rejectUpgrade(socket, resolution.error, headers);
      return;
    }
    if (resolution.kind !== "allowed") {
      rejectUpgrade(socket, new GatewayError(404, "NOT_FOUND", "not found"), headers);
      return;
    }
    const { identity, match } = resolution;
    const params: Record<string, JsonValue> = {};
    for (const name of [
      "command",
      "entrypoint",
      "follow",
      "prefix",
      "since",
      "tail",
      "tty",
      "height",
      "width",
    ]) {
      const value = req.headers[name];
      if (typeof value === "string") params[`header.${name}`] = value;
    }
    const event = (
      action: string,
      fields: {
        status?: number;
        detail?: Record<string, JsonValue>;
        reason?: string;
        decision?: "allow" | "deny" | "error";
      },
    ) =>
      rackCallEvent(context, deps.redaction, {
        action,
        actor: identity.actor,
        decision: fields.decision ?? "allow",
        reason: fields.reason ?? resolution.decision.reason,
        match,
        params,
        ...(fields.status === undefined ? {} : { status: fields.status }),
        ...(fields.detail === undefined ? {} : { detail: fields.detail }),
        latencyMs: performance.now() - context.startedAt,
      });
    const fail = (error: GatewayError) => {
      rejectUpgrade(socket, error, headers);
      deps.audit.record(
        event("rack.websocket.end", {
          status: error.status,
          decision: error.status < 500 ? "deny" : "error",
          reason: error.message,
        }),
      );
    };

    try {
      if (!deps.audit.isHealthy()) throw new Error("audit log unhealthy");
      // Fail closed: the session's start is committed before any byte reaches the rack.
      await deps.audit.recordDurably(event("rack.websocket.start", {}));
    } catch (error) {
      rejectUpgrade(
        socket,
        new GatewayError(
          503,
          "AUDIT_UNAVAILABLE",
          "the audit log cannot be written; the session was not opened",
          { cause: error },
        ),
        headers,
      );
      return;
    }

    const query = context.target.includes("?") ? context.target.slice(context.target.indexOf("?") + 1) : "";
    const upstreamHeaders = forwardableRequestHeaders(req.headers) as Record<string, string>;
    upstreamHeaders.authorization = deps.forwarder.authorization;
    upstreamHeaders["x-convox-actor"] =
      identity.actor.email ?? identity.actor.name ?? identity.principal.name;
    const upstream = new WebSocket(`${rackWsBase}${match.path}${query ? `?${query}` : ""}`, {
      headers: upstreamHeaders,
      // The rack refuses an upgrade whose Origin host differs from its Host: speak as the rack's own origin.
      origin: deps.forwarder.origin,
      perMessageDeflate: false,
      handshakeTimeout: deps.handshakeTimeoutMs,
      maxPayload: MAX_PAYLOAD_BYTES,
      rejectUnauthorized: !deps.forwarder.target.tlsInsecure,
    });
    socket.once("close", () => {
      if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    });

    upstream.once("unexpected-response", (_request, response) => {
      const status = response.statusCode ?? 502;
      response.resume();
      upstream.terminate();
      const error =
        status === 401
          ? new GatewayError(502, "RACK_UNAVAILABLE", "the rack refused the gateway's credentials")
          : new GatewayError(
              status >= 400 && status < 600 ? status : 502,
              status >= 500 ? "RACK_UNAVAILABLE" : "NOT_FOUND",
              `the rack refused the session (${status})`,
            );
      fail(error);
    });
    upstream.once("error", (error) => {
      if (upstream.readyState === WebSocket.OPEN) return;
      fail(new GatewayError(502, "RACK_UNAVAILABLE", "the rack is unreachable", { cause: error }));
    });

    upstream.once("open", () => {
      if (socket.destroyed) {
        upstream.terminate();
        return;
      }
      server.handleUpgrade(req, socket, head, (client) => relay(client, upstream, event));
    });
  }

  function relay(
    client: WebSocket,
    upstream: WebSocket,
    event: (
      action: string,
      fields: { status?: number; detail?: Record<string, JsonValue> },
    ) => ReturnType<typeof rackCallEvent>,
  ): void {
    const openedAt = performance.now();
    const counts = { framesFromClient: 0, framesFromRack: 0, bytesFromClient: 0, bytesFromRack: 0 };
    let exitCode: number | null = null;
    let closedBy: "client" | "rack" | null = null;
    let ended = false;

    // Backpressure: stop reading from one side while the other is slow to take what was sent.
    const pipe = (from: WebSocket, to: WebSocket, onFrame: (data: Buffer, isBinary: boolean) => void) => {
      let paused = false;
      from.on("message", (data: Buffer, isBinary: boolean) => {
        onFrame(data, isBinary);
        if (to.readyState !== WebSocket.OPEN) return;
        to.send(data, { binary: isBinary }, () => {
          if (paused && to.bufferedAmount < HIGH_WATER_BYTES / 2) {
            paused = false;
            from.resume();
          }
        });
        if (!paused && to.bufferedAmount > HIGH_WATER_BYTES) {
          paused = true;
          from.pause();
        }
      });
    };
    pipe(client, upstream, (data) => {
      counts.framesFromClient++;
      counts.bytesFromClient += data.length;
    });
    pipe(upstream, client, (data, isBinary) => {
      counts.framesFromRack++;
      counts.bytesFromRack += data.length;
      if (!isBinary && data.length < 128) {
        const text = data.toString("utf8");
        if (text.startsWith(EXIT_CODE_MARKER)) {
          const code = Number.parseInt(text.slice(EXIT_CODE_MARKER.length).trim(), 10);
          if (Number.isInteger(code)) exitCode = code;
        }
      }
    });

    const end = () => {
      if (ended) return;
      ended = true;
      const detail: Record<string, JsonValue> = {
        ...counts,
        durationMs: Math.round(performance.now() - openedAt),
        closedBy: closedBy ?? "unknown",
      };
      if (exitCode !== null) detail.exitCode = exitCode;
      deps.audit.record(event("rack.websocket.end", { status: 101, detail }));
    };
    client.on("close", (code, reason) => {
      closedBy ??= "client";
      if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCloseCode(code), reason);
      else upstream.terminate();
      end();
    });
    upstream.on("close", (code, reason) => {
      closedBy ??= "rack";
      if (client.readyState === WebSocket.OPEN) client.close(sendableCloseCode(code), reason);
      else client.terminate();
      end();
    });
    client.on("error", (error) => {
      deps.logError("client websocket error", error);
      client.terminate();
    });
    upstream.on("error", (error) => {
      deps.logError("rack websocket error", error);
      upstream.terminate();
    });
  }

  return {
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, context: RackCallContext) =>
      handleUpgrade(req, socket, head, context).catch((error: unknown) => {
        deps.logError("websocket proxy failure", error);
        rejectUpgrade(socket, toGatewayError(error), deps.responseHeaders);
      }),
    close: () => {
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}
