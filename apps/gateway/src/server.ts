/**
 * Joins the two halves of the gateway on one Node server: the rack proxy (raw streams, HTTP and websocket)
 * under `/api/v1/rack-proxy`, and the Hono app for everything else.
 */
import http, { type IncomingMessage, type Server } from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import { clientIpOf, createApp } from "./app.js";
import type { GatewayDeps } from "./deps.js";
import { securityHeaders } from "./http/security-headers.js";
import { createConcurrencyLimiter } from "./proxy/concurrency.js";
import { createHttpProxy, targetBelowPrefix } from "./proxy/http-proxy.js";
import { RACK_PROXY_PREFIX, type RackCallContext } from "./proxy/rack-call.js";
import { createWebSocketProxy } from "./proxy/websocket-proxy.js";

export interface GatewayServer {
  readonly server: Server;
  /** Stops accepting connections, ends websocket sessions and waits for in-flight audit writes. */
  close(): Promise<void>;
}

function isRackProxyPath(url: string): boolean {
  if (!url.startsWith(RACK_PROXY_PREFIX)) return false;
  const next = url.charAt(RACK_PROXY_PREFIX.length);
  return next === "" || next === "/" || next === "?";
}

export function createGatewayServer(deps: GatewayDeps, tls?: { cert: Buffer; key: Buffer }): GatewayServer {
  const responseHeaders = securityHeaders({ hsts: deps.hsts });
  const callDeps = {
    authenticator: deps.authenticator,
    rateLimits: deps.stores.rateLimits,
    authFailureLimit: deps.authFailureLimit,
    authFailureWindowMs: deps.authFailureWindowMs,
    allowRackJwt: async () => (await deps.settings.get("allow_rack_jwt")).value,
    redaction: deps.redaction,
    forwarder: deps.forwarder,
    audit: deps.audit,
    responseHeaders,
    logError: deps.logError,
    // One budget per identity for HTTP calls and websocket sessions together.
    concurrency: createConcurrencyLimiter(deps.rack.maxConcurrentCalls),
  };
  const httpProxy = createHttpProxy(callDeps);
  const wsProxy = createWebSocketProxy({ ...callDeps, handshakeTimeoutMs: 10_000 });
  const appListener = getRequestListener(createApp(deps).fetch);

  const clientIp = (req: IncomingMessage): string | null => {
    const forwarded = req.headers["x-forwarded-for"];
    return clientIpOf(
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      req.socket.remoteAddress,
      deps.trustProxyHeaders,
    );
  };
  const contextOf = (req: IncomingMessage, method: string): RackCallContext => ({
    requestId: deps.randomId(),
    time: deps.now(),
    startedAt: performance.now(),
    method,
    target: targetBelowPrefix(req.url ?? "/", RACK_PROXY_PREFIX),
    clientIp: clientIp(req),
    userAgent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"] : null,
  });

  const onRequest = (req: IncomingMessage, res: http.ServerResponse) => {
    if (isRackProxyPath(req.url ?? "")) {
      httpProxy(req, res, contextOf(req, (req.method ?? "GET").toUpperCase())).catch((error: unknown) => {
        deps.logError("rack proxy failure", error);
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "internal error", code: "INTERNAL" }));
      });
      return;
    }
    void appListener(req, res);
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isRackProxyPath(req.url ?? "") || String(req.headers.upgrade).toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    void wsProxy.handleUpgrade(req, socket, head, contextOf(req, "SOCKET"));
  };

  const server = tls
    ? https.createServer({ cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" })
    : http.createServer();
  server.on("request", onRequest);
  server.on("upgrade", onUpgrade);
  // Slowloris guard: a client must send its headers promptly; long bodies and streams are fine.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    async close() {
      wsProxy.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await deps.audit.flush();
    },
  };
}
