import type { IncomingMessage } from "node:http";
import WebSocket from "ws";
import { ConvoxHttpError } from "./errors.js";

/**
 * The few websocket operations the client needs (RFC 6455). A text frame arrives as a `string`, a
 * binary frame as a `Uint8Array`; `send` picks the frame type the same way. `onerror` fires at most
 * once and `onclose` exactly once, last. A refused upgrade should surface as a {@link ConvoxHttpError}
 * through `onerror` so callers see the rack's status and body.
 */
export interface WebSocketLike {
  onopen: (() => void) | null;
  onmessage: ((data: string | Uint8Array) => void) | null;
  onerror: ((error: Error) => void) | null;
  onclose: ((code: number, reason: string) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** Opens a websocket to `url` (ws: or wss:) sending `headers` with the upgrade request. */
export type OpenWebSocket = (url: string, init: { headers: Record<string, string> }) => WebSocketLike;

/** Options of {@link createWsSocketFactory}. */
export interface WsSocketFactoryOptions {
  /** Verify the rack's TLS certificate. Default `true` (the convox CLI turns verification off). */
  rejectUnauthorized?: boolean;
  /** Largest frame accepted from the rack. Default 64 MiB. */
  maxPayloadBytes?: number;
  /** How long the upgrade handshake may take. Default 30 000 ms. */
  handshakeTimeoutMs?: number;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The default {@link OpenWebSocket}, built on the `ws` package (Node 20 has no global WebSocket).
 *
 * @example
 * const client = createConvoxClient({ url, password, fetch, openWebSocket: createWsSocketFactory() });
 */
export function createWsSocketFactory(options: WsSocketFactoryOptions = {}): OpenWebSocket {
  return (url, init) => {
    const socket = new WebSocket(url, {
      headers: init.headers,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      maxPayload: options.maxPayloadBytes ?? 64 * 1024 * 1024,
      handshakeTimeout: options.handshakeTimeoutMs ?? 30_000,
      perMessageDeflate: false,
      // WHATWG URL parsing drops an empty query; the convox CLI sends it (`/apps/A/logs?`), so do we.
      finishRequest(request) {
        if (url.endsWith("?") && !request.path.endsWith("?")) request.path = `${request.path}?`;
        request.end();
      },
    });
    let errored = false;
    let closed = false;
    const adapter: WebSocketLike = {
      onopen: null,
      onmessage: null,
      onerror: null,
      onclose: null,
      send(data) {
        socket.send(data, { binary: typeof data !== "string" });
      },
      close(code, reason) {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      },
    };
    const fail = (error: Error) => {
      if (errored || closed) return;
      errored = true;
      adapter.onerror?.(error);
    };
    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      adapter.onclose?.(code, reason);
    };
    socket.on("open", () => adapter.onopen?.());
    socket.on("message", (data, isBinary) => {
      const bytes = toUint8Array(data);
      adapter.onmessage?.(isBinary ? bytes : Buffer.from(bytes).toString("utf8"));
    });
    socket.on("unexpected-response", (_request, response: IncomingMessage) => {
      readLimited(response).then(
        (body) => {
          fail(
            new ConvoxHttpError(response.statusCode ?? 0, body, {
              method: "GET",
              path: new URL(url).pathname,
            }),
          );
          socket.terminate();
          finish(1006, "upgrade refused");
        },
        (error: unknown) => {
          fail(error instanceof Error ? error : new Error(String(error)));
          socket.terminate();
          finish(1006, "upgrade refused");
        },
      );
    });
    socket.on("error", (error) => fail(error));
    socket.on("close", (code, reason) => finish(code, reason.toString("utf8")));
    return adapter;
  };
}

function toUint8Array(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

async function readLimited(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    if (size < MAX_ERROR_BODY_BYTES) chunks.push(buffer.subarray(0, MAX_ERROR_BODY_BYTES - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}
