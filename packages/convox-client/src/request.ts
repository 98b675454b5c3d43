import { ConvoxConnectionError, ConvoxHttpError, ConvoxResponseError } from "./errors.js";
import { CONVOX_API_VERSION, encodeBasicAuth } from "./protocol.js";

/** A value sent as a form field, query parameter or header; `undefined` means "leave it out". */
export type ConvoxParamValue = string | number | boolean | undefined;

/** Everything needed to build one rack API request. */
export interface ConvoxRequestSpec {
  method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS";
  /** Rack path starting with `/`, already escaped (see {@link escapePathSegment}). */
  path: string;
  query?: Record<string, ConvoxParamValue>;
  /** Sent as `application/x-www-form-urlencoded`; exclusive with `body`. */
  form?: Record<string, ConvoxParamValue>;
  /** Option headers such as `Follow`, `Command`, `Tty`. */
  headers?: Record<string, ConvoxParamValue>;
  /** Raw body sent as `application/octet-stream`, streamed when it is a stream. */
  body?: ReadableStream<Uint8Array> | Uint8Array;
}

/** Connection settings shared by HTTP and websocket calls. */
export interface ConvoxEndpoint {
  /** Base URL without credentials, path prefix kept, no trailing slash. */
  baseUrl: URL;
  authorization: string;
  userAgent: string;
}

/** Escapes one path segment (an app, process, release name…). */
export function escapePathSegment(segment: string): string {
  if (segment === "" || segment === "." || segment === "..") {
    throw new TypeError(`invalid path segment ${JSON.stringify(segment)}: pass a non-empty name`);
  }
  return encodeURIComponent(segment);
}

/** Escapes an object key, keeping `/` between its parts (`tmp/abc.tgz`). */
export function escapeObjectKey(key: string): string {
  return key.split("/").map(escapePathSegment).join("/");
}

/** Validates the client's base URL and password into an endpoint; throws TypeError on misuse. */
export function createEndpoint(url: string, password: string, userAgent: string): ConvoxEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`invalid rack url ${JSON.stringify(url)}: pass an absolute http(s) URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`rack url must be http: or https:, got ${parsed.protocol}`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new TypeError("rack url must not carry credentials: pass the password as options.password");
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    throw new TypeError(
      "rack url must not carry a query or fragment: pass only scheme, host and path prefix",
    );
  }
  parsed.pathname = parsed.pathname.replace(/\/+$/, "");
  return { baseUrl: parsed, authorization: encodeBasicAuth(password), userAgent };
}

/** Joins base URL, path and query; always ends the path with `?` as the convox CLI does. */
export function buildUrl(
  endpoint: ConvoxEndpoint,
  path: string,
  query?: Record<string, ConvoxParamValue>,
): string {
  if (!path.startsWith("/"))
    throw new TypeError(`rack path must start with "/", got ${JSON.stringify(path)}`);
  const base = endpoint.baseUrl;
  const prefix = base.pathname === "/" ? "" : base.pathname;
  return `${base.protocol}//${base.host}${prefix}${path}?${encodeParams(query)}`;
}

/** Builds the `Request` for `spec` with the headers the convox CLI sends; does not send it. */
export function buildRequest(endpoint: ConvoxEndpoint, spec: ConvoxRequestSpec): Request {
  if (spec.form !== undefined && spec.body !== undefined) {
    throw new TypeError("a rack request carries either form or body, not both");
  }
  const headers = new Headers({
    Authorization: endpoint.authorization,
    Version: CONVOX_API_VERSION,
    "User-Agent": endpoint.userAgent,
    Accept: "*/*",
    "Content-Type":
      spec.form === undefined ? "application/octet-stream" : "application/x-www-form-urlencoded",
  });
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (value !== undefined) headers.set(name, String(value));
  }
  const init: RequestInit & { duplex?: "half" } = { method: spec.method, headers };
  if (spec.form !== undefined) init.body = encodeParams(spec.form);
  else if (spec.body instanceof Uint8Array) init.body = spec.body;
  else if (spec.body !== undefined) {
    init.body = spec.body;
    // Node's fetch streams a request body only in half-duplex mode.
    init.duplex = "half";
  }
  return new Request(buildUrl(endpoint, spec.path, spec.query), init);
}

/** Sends `request`; throws ConvoxConnectionError when unreachable, ConvoxHttpError on status ≥ 400. */
export async function sendRequest(fetchFn: typeof fetch, request: Request): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(request);
  } catch (error) {
    throw new ConvoxConnectionError(request.url, error);
  }
  if (response.status >= 400) {
    const body = await response.text().catch(() => "");
    throw new ConvoxHttpError(response.status, body, {
      method: request.method,
      path: new URL(request.url).pathname,
    });
  }
  return response;
}

/** Reads a JSON answer; Go encodes an empty list as `null`, which `emptyValue` replaces. */
export async function readJson<T>(response: Response, emptyValue?: T): Promise<T> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null && emptyValue !== undefined) return emptyValue;
    return parsed as T;
  } catch (error) {
    throw new ConvoxResponseError(response.status, text, error);
  }
}

function encodeParams(params: Record<string, ConvoxParamValue> | undefined): string {
  const search = new URLSearchParams();
  // Go's url.Values.Encode sorts by key; matching it keeps requests byte-identical to the CLI's.
  for (const key of Object.keys(params ?? {}).sort()) {
    const value = params?.[key];
    if (value !== undefined) search.append(key, String(value));
  }
  return search.toString();
}
