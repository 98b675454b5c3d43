import type { IncomingHttpHeaders } from "node:http";
import type { ConvoxApp } from "../types.js";
import type { FakeRackModel } from "./fake-rack-model.js";

/** A handler's view of one HTTP request to the fake rack. */
export interface HttpContext {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed `application/x-www-form-urlencoded` body, empty otherwise. */
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body: already read for ordinary routes, still streaming for `streamBody` routes. */
  body: AsyncIterable<Uint8Array>;
  model: FakeRackModel;
  retainObjects: boolean;
  /** Completes a running build after the configured delay. */
  scheduleBuild(buildId: string): void;
}

/** What a handler answers; JSON is rendered like Go's json.MarshalIndent plus a newline. */
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  bytes?: Uint8Array;
  contentType?: string;
}

export type HttpHandler = (context: HttpContext) => Reply | Promise<Reply>;

/** A route's handler and whether it reads its body as a stream (object uploads). */
export interface HttpRoute {
  handle: HttpHandler;
  streamBody?: boolean;
}

/** Thrown by handlers: rendered as `{"error": message}` with `status`. */
export class FakeRackError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Form value, then query value, like convox's stdapi `c.Value`. */
export function readOption(context: HttpContext, name: string): string | undefined {
  return context.form.get(name) ?? context.query.get(name) ?? undefined;
}

/** A single request header value. */
export function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

/** Go's time.ParseDuration for the units convox uses; `undefined` when invalid. */
export function parseGoDurationMs(value: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== value) return undefined;
  return parts.reduce((total, part) => total + Number(part[1]) * (units[part[2] ?? ""] ?? 0), 0);
}

export function requireApp(context: HttpContext, name = context.params.app ?? ""): ConvoxApp {
  const app = context.model.state.apps.get(name);
  if (app === undefined) throw new FakeRackError(404, `app not found: ${name}`);
  return app;
}

export function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new FakeRackError(400, `invalid ${name}: ${value}`);
  return Number(value);
}
