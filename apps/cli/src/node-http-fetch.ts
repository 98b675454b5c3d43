/**
 * A `fetch` over node:http / node:https for the CLI. Node's global fetch (undici) parses answers with a
 * WebAssembly build of llhttp; V8 optimises that module on a background thread after the first request and
 * Node waits for it before the process may exit — about 130 ms on every `rack-gateway apps`. node:http
 * parses with the native llhttp, so a one-shot command exits as soon as its work is done.
 */
import { once } from "node:events";
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/** Bodies up to this size are sent with Content-Length (as fetch does for strings); longer ones stream chunked. */
const BUFFERED_BODY_BYTES = 64 * 1024;
/** undici's default headers and body timeouts: the longest silence tolerated from the gateway. */
const IDLE_TIMEOUT_MS = 300_000;
/** Statuses whose answers have no body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

type BodyReader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * `fetch` for the gateway and rack clients, sent with node:http(s) and the default keep-alive agents (an idle
 * socket never holds the process open). It follows no redirect (the 3xx answer is returned, as with
 * `redirect: "manual"`), asks for no compression, and, like undici, rejects with `TypeError("fetch failed")`
 * whose `cause` is the socket error (`ECONNREFUSED`, `ENOTFOUND`, a TLS error…).
 *
 * @example
 * const api = createGatewayApi({ url, token, fetch: fetchWithNodeHttp, userAgent });
 */
export async function fetchWithNodeHttp(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const request = input instanceof Request && init === undefined ? input : new Request(input, init);
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`fetch: cannot send to ${url.protocol} URLs, pass an http: or https: URL`);
  }
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const reader = request.body?.getReader();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = reader === undefined;
  while (reader !== undefined && !ended && headBytes <= BUFFERED_BODY_BYTES) {
    const chunk = await reader.read();
    if (chunk.done) ended = true;
    else {
      head.push(chunk.value);
      headBytes += chunk.value.byteLength;
    }
  }
  if (reader !== undefined && ended) headers["content-length"] = String(headBytes);
  // The path as written: `url.search` drops an empty query, and the convox CLI sends `/apps?`.
  url.hash = "";
  const path = url.href.slice(url.origin.length);
  // node:https brings tls and crypto; a plain-http gateway (loopback) does without them.
  const send = url.protocol === "https:" ? (await import("node:https")).request : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const fail = (error: unknown) => {
      void reader?.cancel().catch(() => {});
      // Like fetch: an abort rejects with the signal's reason, anything else is a network error.
      reject(
        request.signal.aborted ? request.signal.reason : new TypeError("fetch failed", { cause: error }),
      );
    };
    const outgoing = send(
      url,
      { path, method: request.method, headers, signal: request.signal },
      (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (status < 200 || status > 599) {
          incoming.destroy();
          fail(new RangeError(`the server answered with status ${status}, which fetch cannot represent`));
          return;
        }
        resolve(toResponse(incoming, request.method));
      },
    );
    outgoing.setTimeout(IDLE_TIMEOUT_MS, () => {
      outgoing.destroy(new Error(`no answer from ${url.host} for ${IDLE_TIMEOUT_MS} ms`));
    });
    outgoing.once("error", fail);
    writeBody(outgoing, head, ended ? undefined : reader).catch((error: unknown) => {
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

async function writeBody(outgoing: ClientRequest, head: Uint8Array[], rest: BodyReader | undefined) {
  for (const chunk of head) outgoing.write(chunk);
  while (rest !== undefined && !outgoing.destroyed) {
    const chunk = await rest.read();
    if (chunk.done) break;
    if (!outgoing.write(chunk.value)) await once(outgoing, "drain");
  }
  outgoing.end();
}

function toResponse(incoming: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let index = 0; index + 1 < incoming.rawHeaders.length; index += 2) {
    headers.append(incoming.rawHeaders[index] ?? "", incoming.rawHeaders[index + 1] ?? "");
  }
  const status = incoming.statusCode ?? 200;
  const bodyless = method === "HEAD" || NULL_BODY_STATUSES.has(status);
  if (bodyless) incoming.resume();
  const body = bodyless ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: incoming.statusMessage ?? "", headers });
}
