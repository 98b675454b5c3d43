/**
 * The websocket half of the rack proxy (logs, exec, run, build logs, shells; RFC 6455). The client's handshake is
 * checked first, then the upgrade is authorized exactly like an HTTP call (method SOCKET). Only once the rack has
 * accepted its own upgrade is the client's upgrade completed, so no frame can arrive before there is somewhere to
 * send it; frames are then relayed one for one in both directions — text stays text, binary stays binary, bytes
 * are not checked for UTF-8, and the empty binary frame that marks end-of-stream passes like any other. Either side
 * closing closes the other. Once the rack session is started it ends, with exactly one `rack.websocket.end`, on
 * every path: refused, abandoned, relayed, or cut by the gateway's shutdown.
 */
import { type IncomingMessage, STATUS_CODES } from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { AuditActor, JsonValue } from "@rack-gateway/audit-chain";
import { matchConvoxRoute, type RouteMatch } from "@rack-gateway/rbac";
import WebSocket, { WebSocketServer } from "ws";
import type { AuditLog } from "../audit/audit-log.js";
import { errorBody, GatewayError, toGatewayError } from "../http/errors.js";
import { type ConcurrencyLimiter, takeCallSlot } from "./concurrency.js";
import { createFrameScrubber, type FrameScrubber, rackCredentialPatterns } from "./credential-scrubber.js";
import { type RackCallContext, type RackCallDeps, rackCallEvent, resolveRackCall } from "./rack-call.js";
import { forwardableRequestHeaders, type RackForwarder } from "./rack-forwarder.js";
import { checkClientHandshake } from "./websocket-handshake.js";

export interface WebSocketProxyDeps extends RackCallDeps {
  readonly forwarder: RackForwarder;
  /** Calls in flight per identity (shared with the HTTP proxy): an open session holds a slot until it ends. */
  readonly concurrency: ConcurrencyLimiter;
  readonly audit: AuditLog;
  readonly responseHeaders: Record<string, string>;
  readonly handshakeTimeoutMs: number;
  readonly logError: (message: string, error: unknown) => void;
}

/** The text frame convox sends before EOF to carry a process's exit code. */
export const EXIT_CODE_MARKER = "F1E49A85-0AD7-4AEF-A618-C249C6E6568D:";
const EXIT_CODE_PREFIX = Buffer.from(EXIT_CODE_MARKER);
/** How long the end of a frame that could begin the rack's password waits for the next frame. */
const HELD_FRAME_END_MS = 50;
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
// A client must wait for the 101 before sending frames (RFC 6455 §4.1); what it sends early is kept, up to this.
const MAX_EARLY_CLIENT_BYTES = 64 * 1024;
const ANONYMOUS: AuditActor = { type: "anonymous" };
const OPTION_HEADERS = [
  "command",
  "entrypoint",
  "follow",
  "prefix",
  "since",
  "tail",
  "tty",
  "height",
  "width",
];

// Sockets that now speak websocket: an HTTP answer written onto one would corrupt the session.
const upgradedSockets = new WeakSet<Duplex>();

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
function rejectUpgrade(socket: Duplex, error: GatewayError, headers: Record<string, string>): void {
  if (socket.destroyed || upgradedSockets.has(socket)) return;
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

/** The query the rack gets: the client's, without a fragment (clients never send one; `new WebSocket` throws on it). */
function queryOf(target: string): string {
  const withoutFragment = target.split("#", 1)[0] ?? "";
  const at = withoutFragment.indexOf("?");
  return at === -1 ? "" : withoutFragment.slice(at + 1);
}

const shuttingDown = () =>
  new GatewayError(503, "RACK_UNAVAILABLE", "the gateway is shutting down; the session was not opened");

type SessionEventFields = {
  status?: number;
  detail?: Record<string, JsonValue>;
  reason?: string;
  decision?: "allow" | "deny" | "error";
};

/** A session the gateway has started at the rack, until its end is audited. */
interface LiveSession {
  /** Ends the session now, audited as closed by the gateway (shutdown). */
  shutdown: () => void;
}

export function createWebSocketProxy(deps: WebSocketProxyDeps) {
  const credentialPatterns = rackCredentialPatterns(deps.forwarder.target.token);
  // Neither side checks text frames for UTF-8: process output may split a character across frames, and the rack
  // and the convox CLI (gorilla/websocket) relay bytes as they are.
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_PAYLOAD_BYTES,
    skipUTF8Validation: true,
  });
  const rackWsBase = `${deps.forwarder.target.url.protocol === "https:" ? "wss:" : "ws:"}//${deps.forwarder.target.url.host}${deps.forwarder.target.url.pathname.replace(/\/+$/, "")}`;
  const liveSessions = new Set<LiveSession>();
  let closing = false;

  async function handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    context: RackCallContext,
  ): Promise<void> {
    socket.on("error", () => socket.destroy());
    const headers = { ...deps.responseHeaders, "X-Request-Id": context.requestId };
    /** Refuses the upgrade before any session starts, audited as a denied call. */
    const refuse = (
      error: GatewayError,
      actor: AuditActor,
      match: RouteMatch | null,
      params?: Record<string, JsonValue>,
    ) => {
      deps.audit.record(
        rackCallEvent(context, deps.redaction, {
          action: "rack.request",
          actor,
          decision: "deny",
          reason: error.message,
          match,
          status: error.status,
          ...(params ? { params } : {}),
        }),
      );
      rejectUpgrade(socket, error, headers);
    };
    // A handshake the gateway could not complete must never reach the rack (an exec would run unobserved).
    const handshakeError = checkClientHandshake(req);
    if (handshakeError) {
      refuse(handshakeError, ANONYMOUS, matchConvoxRoute(context.method, context.target));
      return;
    }
    if (closing) {
      rejectUpgrade(socket, shuttingDown(), headers);
      return;
    }
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
    for (const name of OPTION_HEADERS) {
      const value = req.headers[name];
      if (typeof value === "string") params[`header.${name}`] = value;
    }
    const releaseSlot = takeCallSlot(deps.concurrency, identity.principal);
    if (releaseSlot instanceof GatewayError) {
      refuse(releaseSlot, identity.actor, match, params);
      return;
    }
    const event = (action: string, fields: SessionEventFields) =>
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

    try {
      if (!deps.audit.isHealthy()) throw new Error("audit log unhealthy");
      // Fail closed: the session's start is committed before any byte reaches the rack.
      await deps.audit.recordDurably(event("rack.websocket.start", {}));
    } catch (error) {
      releaseSlot();
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

    // From here on the session is started: every path below ends in exactly one end record.
    let ended = false;
    let relayStarted = false;
    let upstream: WebSocket | null = null;
    const session: LiveSession = { shutdown: () => {} };
    const endSession = (fields: SessionEventFields) => {
      if (ended) return;
      ended = true;
      liveSessions.delete(session);
      releaseSlot();
      deps.audit.record(event("rack.websocket.end", fields));
    };
    // Before the relay takes over: drop the rack connection, answer the client if it is still there, audit the end.
    const failBeforeRelay = (error: GatewayError) => {
      if (relayStarted || ended) return;
      upstream?.terminate();
      rejectUpgrade(socket, error, headers);
      endSession({
        status: error.status,
        decision: error.status < 500 ? "deny" : "error",
        reason: error.message,
      });
    };
    const clientLeftBeforeRelay = () => {
      if (relayStarted || ended) return;
      upstream?.terminate();
      socket.destroy();
      endSession({
        reason: "the client left before the rack accepted the session",
        detail: { closedBy: "client" },
      });
    };
    session.shutdown = () => failBeforeRelay(shuttingDown());
    liveSessions.add(session);
    if (closing) {
      session.shutdown();
      return;
    }

    // Read while the rack answers, so that a client leaving is noticed (and the rack session dropped) at once.
    // Whatever the client sends this early is handed on to the relay untouched.
    const early: Buffer[] = [head];
    let earlyBytes = head.length;
    const onEarlyData = (chunk: Buffer) => {
      early.push(chunk);
      earlyBytes += chunk.length;
      if (earlyBytes > MAX_EARLY_CLIENT_BYTES) {
        failBeforeRelay(
          new GatewayError(400, "BAD_REQUEST", "the client sent frames before the upgrade completed"),
        );
      }
    };
    socket.on("data", onEarlyData);
    socket.once("end", clientLeftBeforeRelay);
    socket.once("close", clientLeftBeforeRelay);

    try {
      const upstreamHeaders = forwardableRequestHeaders(req.headers) as Record<string, string>;
      upstreamHeaders.authorization = deps.forwarder.authorization;
      upstreamHeaders["x-convox-actor"] =
        identity.actor.email ?? identity.actor.name ?? identity.principal.name;
      const query = queryOf(context.target);
      upstream = new WebSocket(`${rackWsBase}${match.path}${query ? `?${query}` : ""}`, {
        headers: upstreamHeaders,
        // The rack refuses an upgrade whose Origin host differs from its Host: speak as the rack's own origin.
        origin: deps.forwarder.origin,
        perMessageDeflate: false,
        handshakeTimeout: deps.handshakeTimeoutMs,
        maxPayload: MAX_PAYLOAD_BYTES,
        skipUTF8Validation: true,
        rejectUnauthorized: !deps.forwarder.target.tlsInsecure,
      });
    } catch (error) {
      // e.g. a target new WebSocket refuses; the start is committed, so the end must be too.
      deps.logError("rack websocket could not be created", error);
      failBeforeRelay(new GatewayError(502, "RACK_UNAVAILABLE", "the rack session could not be opened"));
      return;
    }
    const rack = upstream;

    // Handshake-phase listeners; removed once the rack accepts, after which the relay owns both sockets.
    const onUnexpectedResponse = (_request: unknown, response: IncomingMessage) => {
      const status = response.statusCode ?? 502;
      response.resume();
      failBeforeRelay(
        status === 401
          ? new GatewayError(502, "RACK_UNAVAILABLE", "the rack refused the gateway's credentials")
          : new GatewayError(
              status >= 400 && status < 600 ? status : 502,
              status >= 500 ? "RACK_UNAVAILABLE" : "NOT_FOUND",
              `the rack refused the session (${status})`,
            ),
      );
    };
    // Also receives the error terminate() raises while connecting; failBeforeRelay then does nothing.
    const onHandshakeError = (error: Error) =>
      failBeforeRelay(new GatewayError(502, "RACK_UNAVAILABLE", "the rack is unreachable", { cause: error }));
    rack.on("unexpected-response", onUnexpectedResponse);
    rack.on("error", onHandshakeError);

    rack.once("open", () => {
      rack.off("unexpected-response", onUnexpectedResponse);
      rack.off("error", onHandshakeError);
      rack.on("error", (error) => {
        deps.logError("rack websocket error", error);
        rack.terminate();
      });
      socket.off("data", onEarlyData);
      socket.off("end", clientLeftBeforeRelay);
      socket.off("close", clientLeftBeforeRelay);
      if (ended) {
        rack.terminate();
        return;
      }
      if (socket.destroyed || !socket.readable) {
        clientLeftBeforeRelay();
        return;
      }
      server.handleUpgrade(req, socket, Buffer.concat(early), (client) => {
        relayStarted = true;
        upgradedSockets.add(socket);
        relay(client, rack, session, endSession);
      });
      // ws completes a valid handshake synchronously; when it answers by itself instead (a closed server's 503, a
      // half-closed socket), nothing will relay: end the session here.
      if (!relayStarted) {
        rack.terminate();
        socket.destroy();
        endSession({ decision: "error", reason: "the client's upgrade could not be completed" });
      }
    });
  }

  function relay(
    client: WebSocket,
    upstream: WebSocket,
    session: LiveSession,
    endSession: (fields: SessionEventFields) => void,
  ): void {
    const openedAt = performance.now();
    const counts = { framesFromClient: 0, framesFromRack: 0, bytesFromClient: 0, bytesFromRack: 0 };
    let exitCode: number | null = null;
    let closedBy: "client" | "rack" | "gateway" | null = null;
    let echoesOverwritten = 0;

    // Backpressure: stop reading from one side while the other is slow to take what was sent.
    const pipe = (
      from: WebSocket,
      to: WebSocket,
      onFrame: (data: Buffer, isBinary: boolean) => void,
      forward?: (
        send: (data: Buffer, isBinary: boolean) => void,
      ) => (data: Buffer, isBinary: boolean) => void,
    ) => {
      let paused = false;
      const send = (data: Buffer, isBinary: boolean) => {
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
      };
      const relayFrame = forward ? forward(send) : send;
      from.on("message", (data: Buffer, isBinary: boolean) => {
        onFrame(data, isBinary);
        relayFrame(data, isBinary);
      });
    };
    // Process output is chunked into frames at arbitrary points: the rack's own password (a build pod's RACK_URL)
    // is overwritten even where it straddles two frames (see credential-scrubber.ts).
    let rackFrames: FrameScrubber | null = null;
    const scrubRackFrames = (send: (data: Buffer, isBinary: boolean) => void) => {
      rackFrames = createFrameScrubber({
        patterns: credentialPatterns,
        send,
        holdMs: HELD_FRAME_END_MS,
        keepWhole: (data, isBinary) =>
          data.length === 0 ||
          (!isBinary && data.subarray(0, EXIT_CODE_PREFIX.length).equals(EXIT_CODE_PREFIX)),
        onFound: (found) => {
          if (echoesOverwritten === 0) {
            deps.logError(
              "a rack websocket frame contained the rack's own credentials; they were overwritten",
              new Error("rack websocket frame"),
            );
          }
          echoesOverwritten += found;
        },
      });
      return rackFrames.push;
    };
    pipe(client, upstream, (data) => {
      counts.framesFromClient++;
      counts.bytesFromClient += data.length;
    });
    pipe(
      upstream,
      client,
      (data, isBinary) => {
        counts.framesFromRack++;
        counts.bytesFromRack += data.length;
        if (!isBinary && data.length < 128) {
          const text = data.toString("utf8");
          if (text.startsWith(EXIT_CODE_MARKER)) {
            const code = Number.parseInt(text.slice(EXIT_CODE_MARKER.length).trim(), 10);
            if (Number.isInteger(code)) exitCode = code;
          }
        }
      },
      scrubRackFrames,
    );

    const end = () => {
      const detail: Record<string, JsonValue> = {
        ...counts,
        durationMs: Math.round(performance.now() - openedAt),
        closedBy: closedBy ?? "unknown",
      };
      if (exitCode !== null) detail.exitCode = exitCode;
      if (echoesOverwritten > 0) detail.rackLoginEchoesOverwritten = echoesOverwritten;
      endSession({ status: 101, detail });
    };
    // Shutdown: the end is recorded now, while the audit log still takes records; then both sides are cut
    // (a best-effort 1001 Going Away first, RFC 6455 §7.4.1).
    session.shutdown = () => {
      closedBy ??= "gateway";
      end();
      for (const side of [client, upstream]) {
        if (side.readyState === WebSocket.OPEN) side.close(1001, "the gateway is shutting down");
        side.terminate();
      }
    };
    client.on("close", (code, reason) => {
      closedBy ??= "client";
      if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCloseCode(code), reason);
      else upstream.terminate();
      end();
    });
    upstream.on("close", (code, reason) => {
      closedBy ??= "rack";
      // Whatever end of a frame was held back goes out before the close.
      (rackFrames as FrameScrubber | null)?.flush();
      if (client.readyState === WebSocket.OPEN) client.close(sendableCloseCode(code), reason);
      else client.terminate();
      end();
    });
    client.on("error", (error) => {
      deps.logError("client websocket error", error);
      client.terminate();
    });
  }

  return {
    handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, context: RackCallContext) =>
      handleUpgrade(req, socket, head, context).catch((error: unknown) => {
        deps.logError("websocket proxy failure", error);
        rejectUpgrade(socket, toGatewayError(error), deps.responseHeaders);
      }),
    /** Ends every session (its end audited before this returns) and refuses new ones. */
    close: () => {
      closing = true;
      for (const session of [...liveSessions]) session.shutdown();
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}
