import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { decodeBasicAuthPassword } from "../protocol.js";
import type { HttpContext, HttpRoute, Reply } from "./fake-rack-context.js";
import { FakeRackError, readHeader } from "./fake-rack-context.js";
import { EXTRA_ROUTES } from "./fake-rack-extra-routes.js";
import type { FakeAppSeed, FakeLogLine, FakeRackState } from "./fake-rack-model.js";
import { DEFAULT_FAKE_APPS, FakeRackModel } from "./fake-rack-model.js";
import { MODELLED_ROUTES } from "./fake-rack-routes.js";
import type { SocketContext } from "./fake-rack-sockets.js";
import { runSocketHandler, SOCKET_ROUTES } from "./fake-rack-sockets.js";
import { compileRoutes, matchRoute } from "./route-table.js";

/** Options of {@link startFakeRack}. */
export interface FakeRackOptions {
  /** The rack password clients must send (percent-encoded) in Basic auth. */
  password: string;
  host?: "127.0.0.1";
  /** 0 (default) picks a free port. */
  port?: number;
  /** Apps present at start and after `reset()`. Default {@link DEFAULT_FAKE_APPS}. */
  apps?: readonly FakeAppSeed[];
  /** Keep uploaded object bytes. Default `true`; `false` keeps only size and sha256. */
  retainObjects?: boolean;
  /** Clock for timestamps and `Since`. Default `() => new Date()`. */
  now?: () => Date;
  /** When set, every app gets a synthetic log line at this interval. */
  logIntervalMs?: number;
  /** How long a build stays `running`. Default 50 ms. */
  buildDurationMs?: number;
  /** Largest non-object request body accepted. Default 16 MiB. */
  maxBodyBytes?: number;
}

/** One request as it reached the fake rack. */
export interface RecordedRequest {
  method: string;
  /** Path with query string exactly as sent, e.g. `/apps?`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  bodyBytes: number;
  bodySha256: string;
  /** `true` for websocket upgrade requests. */
  websocket: boolean;
}

/** A running fake rack. */
export interface FakeRack {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  readonly state: FakeRackState;
  /** Restores the seeded state and clears `requests`. */
  reset(): void;
  /** Appends a log line for `app` and sends it to every following log stream. */
  emitLog(app: string, message: string, source?: string): void;
  /** While down, every connection is reset without an answer (an unreachable rack). */
  setDown(down: boolean): void;
  /** Stops listening and terminates open HTTP and websocket connections. */
  close(): Promise<void>;
}

const EMPTY_SHA256 = createHash("sha256").digest("hex");
const httpRoutes = compileRoutes<HttpRoute>([...EXTRA_ROUTES, ...MODELLED_ROUTES]);
const socketRoutes = compileRoutes(SOCKET_ROUTES);

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function writeRawResponse(
  socket: Duplex,
  status: number,
  reason: string,
  headers: Record<string, string>,
  body: string,
) {
  const lines = Object.entries({
    ...headers,
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${lines}\r\n\r\n${body}`);
}

/**
 * Starts an in-memory Convox rack on loopback that speaks the real wire protocol: Basic auth with a
 * percent-encoded password, `{"error"}` bodies, websocket streams ending in an empty binary frame,
 * exec exit frames, and the rack's Origin check on upgrades.
 *
 * @example
 * const rack = await startFakeRack({ password: "s3cret" });
 * // … point a client or the gateway at rack.url …
 * await rack.close();
 */
export async function startFakeRack(options: FakeRackOptions): Promise<FakeRack> {
  const now = options.now ?? (() => new Date());
  const model = new FakeRackModel(options.apps ?? DEFAULT_FAKE_APPS, now);
  const retainObjects = options.retainObjects ?? true;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const expected = createHash("sha256").update(options.password).digest();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const logListeners = new Map<string, Set<(line: FakeLogLine) => void>>();
  const buildWaiters = new Set<() => void>();
  const connections = new Set<Socket>();
  let down = false;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const authenticated = (headers: IncomingHttpHeaders) => {
    const password = decodeBasicAuthPassword(readHeader(headers, "authorization"));
    if (password === null) return false;
    return timingSafeEqual(createHash("sha256").update(password).digest(), expected);
  };
  const emitLog = (app: string, message: string, source?: string) => {
    const first = model.state.processes.find((process) => process.app === app && process.command === "");
    const line: FakeLogLine = {
      app,
      at: now(),
      source: source ?? (first ? `service/${first.name}/${first.id}` : "system/k8s/atom"),
      message,
    };
    model.state.logs.push(line);
    if (model.state.logs.length > 10_000) model.state.logs.splice(0, model.state.logs.length - 10_000);
    for (const listener of logListeners.get(app) ?? []) listener(line);
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse) => {
    const rawUrl = request.url ?? "/";
    const url = new URL(rawUrl, "http://fake-rack");
    const method = request.method ?? "GET";
    const hash = createHash("sha256");
    let bodyBytes = 0;
    async function* meteredBody(): AsyncGenerator<Uint8Array> {
      for await (const chunk of request) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        bodyBytes += bytes.length;
        yield bytes;
      }
    }
    const body = meteredBody();
    const record = () =>
      requests.push({
        method,
        path: rawUrl,
        headers: flattenHeaders(request.headers),
        bodyBytes,
        bodySha256: bodyBytes === 0 ? EMPTY_SHA256 : hash.digest("hex"),
        websocket: false,
      });
    const reply = async (status: number, answer: Reply, extraHeaders: Record<string, string> = {}) => {
      for await (const _chunk of body) {
        // Drain whatever the handler did not read so the request is recorded whole.
      }
      record();
      const payload =
        answer.json !== undefined
          ? `${JSON.stringify(answer.json, null, 2)}\n`
          : answer.bytes !== undefined
            ? Buffer.from(answer.bytes)
            : (answer.text ?? "");
      response.writeHead(status, {
        "Content-Type":
          answer.contentType ??
          (answer.json !== undefined ? "application/json" : "text/plain; charset=utf-8"),
        "Content-Length": String(Buffer.byteLength(payload)),
        ...extraHeaders,
      });
      response.end(method === "HEAD" ? undefined : payload);
    };
    const fail = (status: number, message: string, extraHeaders?: Record<string, string>) =>
      reply(status, { json: { error: message } }, extraHeaders);

    if (method === "GET" && url.pathname === "/check") return reply(200, { text: "ok\n" });
    const lookup = matchRoute(httpRoutes, method, url.pathname);
    if (lookup.kind === "not-found") return reply(404, { text: "404 page not found\n" });
    if (lookup.kind === "method-not-allowed") return reply(405, { text: "" });
    if (!authenticated(request.headers)) {
      return fail(401, "invalid authentication", { "WWW-Authenticate": 'Basic realm="convox"' });
    }
    let form = new URLSearchParams();
    let handlerBody: AsyncIterable<Uint8Array> = body;
    if (lookup.handler.streamBody !== true) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > maxBodyBytes) return fail(413, "request body too large");
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks);
      handlerBody = (async function* () {
        yield bytes;
      })();
      if (
        (readHeader(request.headers, "content-type") ?? "").startsWith("application/x-www-form-urlencoded")
      ) {
        form = new URLSearchParams(bytes.toString("utf8"));
      }
    }
    const context: HttpContext = {
      method,
      params: lookup.params,
      query: url.searchParams,
      form,
      headers: request.headers,
      body: handlerBody,
      model,
      retainObjects,
      scheduleBuild: (buildId) =>
        later(options.buildDurationMs ?? 50, () => {
          const build = model.state.builds.find((candidate) => candidate.id === buildId);
          if (build !== undefined) model.completeBuild(build);
          for (const wake of buildWaiters) wake();
        }),
    };
    try {
      const answer = await lookup.handler.handle(context);
      return reply(answer.status ?? 200, answer);
    } catch (error) {
      if (error instanceof FakeRackError) return fail(error.status, error.message);
      return fail(500, error instanceof Error ? error.message : String(error));
    }
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const rawUrl = request.url ?? "/";
    const url = new URL(rawUrl, "http://fake-rack");
    requests.push({
      method: request.method ?? "GET",
      path: rawUrl,
      headers: flattenHeaders(request.headers),
      bodyBytes: 0,
      bodySha256: EMPTY_SHA256,
      websocket: true,
    });
    const lookup = matchRoute(socketRoutes, request.method ?? "GET", url.pathname);
    if (lookup.kind !== "match") {
      return writeRawResponse(
        socket,
        404,
        "Not Found",
        { "Content-Type": "text/plain; charset=utf-8" },
        "404 page not found\n",
      );
    }
    if (!authenticated(request.headers)) {
      return writeRawResponse(
        socket,
        401,
        "Unauthorized",
        { "Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="convox"' },
        '{"error":"invalid authentication"}\n',
      );
    }
    // gorilla/websocket's default CheckOrigin: no Origin passes; otherwise its host must equal Host.
    const origin = readHeader(request.headers, "origin");
    if (origin !== undefined && !sameHost(origin, readHeader(request.headers, "host"))) {
      return writeRawResponse(
        socket,
        403,
        "Forbidden",
        { "Content-Type": "text/plain; charset=utf-8", "Sec-Websocket-Version": "13" },
        "Forbidden\nERROR: websocket: request origin not allowed by Upgrader.CheckOrigin\n",
      );
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
      const context: SocketContext = {
        socket: ws,
        params: lookup.params,
        headers: request.headers,
        model,
        closed,
        subscribeLogs(app, listener) {
          const listeners = logListeners.get(app) ?? new Set();
          listeners.add(listener);
          logListeners.set(app, listeners);
          return () => listeners.delete(listener);
        },
        waitForBuild(buildId, until) {
          return new Promise<void>((resolve) => {
            const check = () => {
              const build = model.state.builds.find((candidate) => candidate.id === buildId);
              if (build === undefined || build.status !== "running") {
                buildWaiters.delete(check);
                resolve();
              }
            };
            buildWaiters.add(check);
            until.then(() => {
              buildWaiters.delete(check);
              resolve();
            });
            check();
          });
        },
        sleep: (ms, until) =>
          new Promise<void>((resolve) => {
            later(ms, resolve);
            until.then(resolve);
          }),
      };
      void runSocketHandler(lookup.handler, context);
    });
  };

  const server = createServer((request, response) => {
    if (down) {
      request.socket.destroy();
      return;
    }
    handleRequest(request, response).catch(() => response.destroy());
  });
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (down) socket.destroy();
    else handleUpgrade(request, socket, head);
  });
  if (options.logIntervalMs !== undefined) {
    const interval = options.logIntervalMs;
    if (!(interval > 0)) throw new RangeError(`logIntervalMs must be > 0, got ${interval}`);
    let tick = 0;
    const emitAll = () => {
      tick += 1;
      for (const app of model.state.apps.keys()) emitLog(app, `GET /health 200 ${tick}`);
      later(interval, emitAll);
    };
    later(interval, emitAll);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    get state() {
      return model.state;
    },
    reset() {
      model.reset();
      requests.length = 0;
    },
    emitLog,
    setDown(value) {
      down = value;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const client of wss.clients) client.terminate();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      wss.close();
    },
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
