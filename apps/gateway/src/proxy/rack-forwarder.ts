/**
 * Sends requests to the rack with the rack's own credentials over keep-alive connections. Bodies stream both
 * ways: nothing here buffers a request or response body.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { GatewayError } from "../http/errors.js";

export interface RackTarget {
  readonly url: URL;
  readonly token: string;
  readonly tlsInsecure: boolean;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  /** A streamed request body that sends nothing for this long is cut (408), so it cannot hold a rack connection. */
  readonly bodyIdleTimeoutMs: number;
}

export interface RackRequest {
  readonly method: string;
  /** Normalised path plus query, relative to the rack's base URL (starts with `/`). */
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** A stream (piped as it arrives), a buffer, or null. */
  readonly body: Readable | Buffer | null;
}

export interface RackForwarder {
  readonly target: RackTarget;
  send(request: RackRequest): Promise<IncomingMessage>;
  /** GET a JSON document from the rack (used by policies that need the rack's current state). */
  getJson(path: string): Promise<unknown>;
  /** Basic credentials for the rack, as the convox CLI encodes them. */
  readonly authorization: string;
  /** The rack's origin, which its websocket endpoint requires as Origin. */
  readonly origin: string;
  close(): void;
}

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus credentials and cookies. */
const DROPPED_REQUEST_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "authorization",
  "cookie",
  "origin",
  "referer",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "forwarded",
  "x-convox-actor",
  "x-request-id",
  // The gateway already answered any 100-continue itself; the body follows without waiting.
  "expect",
  // Answers are masked and scrubbed of the rack's password as they pass: a compressed answer or a byte range would
  // hide from the gateway what it must see.
  "accept-encoding",
  "range",
  "if-range",
]);

/**
 * Copies the client's headers for the rack: every convox option header (Follow, Since, Command, Tty, …)
 * passes untouched; connection-level headers, the client's credentials and cookies never do.
 */
export function forwardableRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith("sec-websocket-"))
      continue;
    if (name.startsWith("rack-gateway-")) continue;
    out[name] = value;
  }
  return out;
}

const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "set-cookie",
]);

/**
 * The rack's response headers as a flat `[name, value, …]` list (the form `writeHead` takes and `rawHeaders`
 * has), minus connection-level ones, cookies and every name in `replaced`, followed by `own`. Used on the
 * streaming path of every proxied call: no intermediate objects, and the rack's header casing is kept.
 * `replaced` holds lower-case names; `own` is a flat list too.
 */
export function responseHeaderList(
  rawHeaders: readonly string[],
  replaced: ReadonlySet<string>,
  own: readonly string[],
): string[] {
  const out: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const lower = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(lower) || replaced.has(lower)) continue;
    out.push(name, rawHeaders[index + 1]!);
  }
  for (const entry of own) out.push(entry);
  return out;
}

/**
 * Methods that only read: the proxy audits them after the answer (no intent record), and the forwarder may send
 * them again when a kept-alive connection turns out to be closed.
 */
export const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);
/** Every idle connection in the pool may have been closed at once (the rack restarted): try a few, not forever. */
const MAX_STALE_CONNECTION_RETRIES = 3;

/**
 * The request's headers with framing that matches its body exactly. Connections to the rack are pooled, so a body
 * the rack cannot delimit would be read as the start of the next request on that connection — which the rack would
 * run with the next request's credentials (the rack's own). Node adds chunked framing by default only for some
 * methods; a streamed body of a DELETE or OPTIONS without Content-Length would go out raw. So:
 * - no body: no Content-Length (a client's, for a body the gateway dropped, would make the rack wait for it);
 * - a buffer: its own length;
 * - a stream: the client's Content-Length (Node's parser has already held the stream to it) or else chunked.
 */
export function framedHeaders(request: RackRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...request.headers };
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding") delete headers[name];
  }
  const { body } = request;
  if (body === null) return headers;
  if (Buffer.isBuffer(body)) {
    headers["content-length"] = String(body.length);
    return headers;
  }
  const declared = Object.entries(request.headers).find(
    ([name]) => name.toLowerCase() === "content-length",
  )?.[1];
  if (typeof declared === "string" && /^\d+$/.test(declared)) headers["content-length"] = declared;
  else headers["transfer-encoding"] = "chunked";
  return headers;
}

export function encodeRackAuthorization(token: string): string {
  // The convox CLI URL-escapes the password inside Basic credentials; the rack unescapes it.
  return `Basic ${Buffer.from(`convox:${encodeURIComponent(token)}`).toString("base64")}`;
}

export function createRackForwarder(target: RackTarget): RackForwarder {
  const isHttps = target.url.protocol === "https:";
  const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: "lifo" as const };
  const createAgent = () =>
    isHttps
      ? new https.Agent({ ...agentOptions, rejectUnauthorized: !target.tlsInsecure })
      : new http.Agent(agentOptions);
  const agent = createAgent();
  // Streamed bodies (uploads) pace themselves by the client, so they get a pool of their own: however many stall,
  // reads and small requests still find a connection.
  const streamAgent = createAgent();
  const authorization = encodeRackAuthorization(target.token);
  const basePath = target.url.pathname.replace(/\/+$/, "");
  const origin = target.url.origin;

  const sendOnce = (request: RackRequest, retriesLeft: number): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const transport = isHttps ? https : http;
      const outgoing = transport.request({
        protocol: target.url.protocol,
        hostname: target.url.hostname,
        port: target.url.port || (isHttps ? 443 : 80),
        method: request.method,
        path: `${basePath}${request.path}`,
        agent: request.body === null || Buffer.isBuffer(request.body) ? agent : streamAgent,
        headers: { ...framedHeaders(request), host: target.url.host, authorization },
      });
      let settled = false;
      const fail = (error: GatewayError) => {
        if (settled) return;
        settled = true;
        outgoing.destroy();
        reject(error);
      };
      // Connect timeout covers a fresh connection only; a reused keep-alive socket is already connected.
      const connectTimer = setTimeout(
        () => fail(new GatewayError(504, "RACK_TIMEOUT", "the rack did not accept a connection in time")),
        target.connectTimeoutMs,
      );
      let responseTimer: NodeJS.Timeout | undefined;
      outgoing.on("socket", (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once(isHttps ? "secureConnect" : "connect", () => clearTimeout(connectTimer));
      });
      // The response clock starts once the whole body is sent: a 200 MB upload may take a while.
      outgoing.on("finish", () => {
        responseTimer = setTimeout(
          () => fail(new GatewayError(504, "RACK_TIMEOUT", "the rack did not answer in time")),
          target.responseTimeoutMs,
        );
      });
      outgoing.on("response", (response) => {
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
        if (settled) {
          response.resume();
          return;
        }
        settled = true;
        resolve(response);
      });
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        clearTimeout(responseTimer);
        // A pooled connection the rack closed (idle timeout, restart) just as this request went out on it. A
        // bodyless read is idempotent, so it is sent again on another connection (RFC 9110 §9.2.2); anything
        // with a body, or a mutation, fails with 502 and is never sent twice.
        if (
          !settled &&
          retriesLeft > 0 &&
          outgoing.reusedSocket &&
          error.code === "ECONNRESET" &&
          request.body === null &&
          READ_METHODS.has(request.method)
        ) {
          settled = true;
          sendOnce(request, retriesLeft - 1).then(resolve, reject);
          return;
        }
        fail(new GatewayError(502, "RACK_UNAVAILABLE", "the rack is unreachable", { cause: error }));
      });
      const body = request.body;
      if (body === null) outgoing.end();
      else if (Buffer.isBuffer(body)) outgoing.end(body);
      else {
        const interrupted = (cause?: unknown) =>
          fail(new GatewayError(400, "BAD_REQUEST", "the request body was interrupted", { cause }));
        body.on("error", interrupted);
        // A client that disconnects mid-upload must not leave a half-sent request open at the rack.
        body.on("close", () => {
          if (!body.readableEnded) interrupted();
        });
        body.pipe(outgoing);
        // A client that declares a large body and then stalls would hold a rack connection forever (the response
        // clock starts only once the body is sent). Waiting on the rack to drain what was sent is not the client
        // stalling. The rack request is destroyed; the client's connection is closed after the 408.
        let idleTimer: NodeJS.Timeout | undefined;
        const armIdleTimer = () => {
          clearTimeout(idleTimer);
          idleTimer = setTimeout(() => {
            if (outgoing.writableNeedDrain) return armIdleTimer();
            body.unpipe(outgoing);
            // The rack may have answered already; its connection is still held by the unfinished body.
            if (settled) return void outgoing.destroy();
            fail(
              new GatewayError(
                408,
                "REQUEST_TIMEOUT",
                `the request body sent nothing for ${target.bodyIdleTimeoutMs} ms`,
                { headers: { Connection: "close" } },
              ),
            );
          }, target.bodyIdleTimeoutMs);
        };
        armIdleTimer();
        body.on("data", armIdleTimer);
        const stopIdleTimer = () => {
          clearTimeout(idleTimer);
          body.off("data", armIdleTimer);
        };
        body.once("end", stopIdleTimer);
        body.once("close", stopIdleTimer);
        outgoing.once("close", stopIdleTimer);
      }
    });

  const send = (request: RackRequest) => sendOnce(request, MAX_STALE_CONNECTION_RETRIES);

  return {
    target,
    send,
    authorization,
    origin,
    async getJson(path) {
      const response = await send({
        method: "GET",
        path,
        headers: { accept: "application/json" },
        body: null,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      if ((response.statusCode ?? 500) >= 400) {
        throw new GatewayError(
          502,
          "RACK_UNAVAILABLE",
          `the rack answered ${response.statusCode} for ${path.split("?")[0]}`,
        );
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new GatewayError(502, "RACK_UNAVAILABLE", "the rack sent malformed JSON", { cause: error });
      }
    },
    close() {
      agent.destroy();
      streamAgent.destroy();
    },
  };
}
