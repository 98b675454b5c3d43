import { ConvoxConnectionError, ConvoxHttpError, ConvoxStreamError } from "./errors.js";
import { CONVOX_API_VERSION, EXIT_CODE_MARKER, parseExitFrame, STREAM_ERROR_PREFIX } from "./protocol.js";
import type { ConvoxEndpoint, ConvoxParamValue } from "./request.js";
import { buildUrl } from "./request.js";
import type { WebSocketLike } from "./websocket.js";

/** A websocket call, built apart from opening it. */
export interface ConvoxSocketRequest {
  /** ws: or wss: URL, path prefix kept, ending in `?` like every convox CLI URL. */
  url: string;
  headers: Record<string, string>;
}

/** Builds the upgrade URL and headers the convox CLI sends, `Origin` included (RFC 6455 §4.1). */
export function buildSocketRequest(
  endpoint: ConvoxEndpoint,
  path: string,
  optionHeaders: Record<string, ConvoxParamValue> = {},
): ConvoxSocketRequest {
  const httpUrl = buildUrl(endpoint, path);
  const headers: Record<string, string> = {
    Authorization: endpoint.authorization,
    Version: CONVOX_API_VERSION,
    "User-Agent": endpoint.userAgent,
    // The rack refuses an upgrade whose Origin host differs from its Host.
    Origin: `${endpoint.baseUrl.protocol}//${endpoint.baseUrl.host}`,
  };
  for (const [name, value] of Object.entries(optionHeaders)) {
    if (value !== undefined) headers[name] = String(value);
  }
  return { url: httpUrl.replace(/^http/, "ws"), headers };
}

function toStreamFailure(url: string, error: Error): Error {
  return error instanceof ConvoxHttpError || error instanceof ConvoxStreamError
    ? error
    : new ConvoxConnectionError(url, error);
}

/**
 * Yields the rack's output frames as text until the empty binary frame that ends the stream.
 * An `ERROR: …` frame throws ConvoxStreamError; a socket closed before end of stream throws
 * ConvoxConnectionError. Breaking out of the loop closes the socket.
 */
export async function* readTextFrames(
  socket: WebSocketLike,
  url: string,
): AsyncGenerator<string, void, undefined> {
  const queue: string[] = [];
  const decoder = new TextDecoder();
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const end = (error?: Error) => {
    if (!ended) {
      ended = true;
      failure = error;
    }
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  socket.onmessage = (data) => {
    if (ended) return;
    if (typeof data === "string") {
      if (data.startsWith(STREAM_ERROR_PREFIX)) {
        end(new ConvoxStreamError(data.slice(STREAM_ERROR_PREFIX.length).replace(/\n$/, "")));
        return;
      }
      queue.push(data);
    } else if (data.byteLength === 0) {
      end();
      return;
    } else {
      queue.push(decoder.decode(data, { stream: true }));
    }
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  socket.onerror = (error) => end(toStreamFailure(url, error));
  socket.onclose = (code) =>
    end(new ConvoxConnectionError(url, new Error(`socket closed (${code}) before end of stream`)));
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (failure !== undefined) throw failure;
  } finally {
    socket.close(1000, "");
  }
}

/** Options of an exec stream. */
export interface ExecStreamOptions {
  /** Sent up as text frames, then an empty binary frame (EOF). Without it, EOF is sent at once. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Receives every output frame as text. */
  onOutput?: (text: string) => void;
  /** Aborting closes the socket and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Relays an exec/run socket: output to `onOutput`, stdin up, resolves with the exit code frame's code. */
export function relayExec(
  socket: WebSocketLike,
  url: string,
  options: ExecStreamOptions,
): Promise<{ exitCode: number }> {
  return new Promise((resolve, reject) => {
    const decoder = new TextDecoder();
    let exitCode: number | undefined;
    let settled = false;
    let open = false;
    const settle = (error: unknown, code?: number) => {
      if (settled) return;
      settled = true;
      open = false;
      options.signal?.removeEventListener("abort", onAbort);
      socket.close(1000, "");
      if (code !== undefined) resolve({ exitCode: code });
      else reject(error);
    };
    const onAbort = () => settle(options.signal?.reason ?? new Error("aborted"));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const emit = (text: string) => {
      const marker = text.lastIndexOf(EXIT_CODE_MARKER);
      const code = marker < 0 ? null : parseExitFrame(text.slice(marker));
      if (code !== null) {
        if (marker > 0) options.onOutput?.(text.slice(0, marker));
        exitCode = code;
      } else if (text !== "") {
        options.onOutput?.(text);
      }
    };
    socket.onopen = () => {
      open = true;
      pumpStdin(socket, options.stdin, () => open).catch((error: unknown) => settle(error));
    };
    socket.onmessage = (data) => {
      if (settled) return;
      if (typeof data === "string") {
        if (data.startsWith(STREAM_ERROR_PREFIX)) {
          settle(new ConvoxStreamError(data.slice(STREAM_ERROR_PREFIX.length).replace(/\n$/, "")));
        } else {
          emit(data);
        }
      } else if (data.byteLength > 0) {
        emit(decoder.decode(data, { stream: true }));
      } else if (exitCode !== undefined) {
        settle(undefined, exitCode);
      } else {
        settle(new ConvoxStreamError("stream ended without an exit code"));
      }
    };
    socket.onerror = (error) => settle(toStreamFailure(url, error));
    socket.onclose = (code) => {
      if (exitCode !== undefined) settle(undefined, exitCode);
      else settle(new ConvoxConnectionError(url, new Error(`socket closed (${code}) before the exit code`)));
    };
  });
}

async function pumpStdin(
  socket: WebSocketLike,
  stdin: AsyncIterable<Uint8Array | string> | undefined,
  isOpen: () => boolean,
): Promise<void> {
  if (stdin !== undefined) {
    const decoder = new TextDecoder();
    for await (const chunk of stdin) {
      if (!isOpen()) return;
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      if (text !== "") socket.send(text);
    }
    const rest = decoder.decode();
    if (rest !== "" && isOpen()) socket.send(rest);
  }
  // An empty binary frame tells the rack that stdin reached EOF.
  if (isOpen()) socket.send(new Uint8Array(0));
}
