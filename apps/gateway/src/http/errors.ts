/**
 * Stable error codes (SCREAMING_SNAKE) that the CLI and web UI switch on, and the one place that turns a
 * gateway error into an HTTP answer. Bodies keep the Convox shape `{"error": "…"}` so the stock convox CLI
 * prints the message; `code` rides along for our own clients. Never a stack trace or internal detail.
 */
import type { ServerResponse } from "node:http";

export type ErrorCode =
  | "INVALID_AUTHENTICATION"
  | "RATE_LIMITED"
  | "FORBIDDEN"
  | "UNKNOWN_ROUTE"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "PAYLOAD_TOO_LARGE"
  | "REQUEST_TIMEOUT"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "PROTECTED_ENV_VAR"
  | "RACK_UNAVAILABLE"
  | "RACK_TIMEOUT"
  | "AUDIT_UNAVAILABLE"
  | "CSRF_REJECTED"
  | "CONFLICT"
  | "SIGN_IN_FAILED"
  | "SIGN_IN_NOT_CONFIGURED"
  | "ACCOUNT_LOCKED"
  | "INTERNAL";

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const invalidAuthentication = () =>
  new GatewayError(401, "INVALID_AUTHENTICATION", "invalid authentication", {
    headers: { "WWW-Authenticate": 'Basic realm="convox"' },
  });

export function errorBody(error: GatewayError): string {
  return JSON.stringify({ error: error.message, code: error.code });
}

/** Maps anything thrown to a GatewayError; unknown errors become a bare 500 with no detail. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(500, "INTERNAL", "internal error", { cause: error });
}

/** Writes a JSON error on a raw Node response (the rack proxy works below Hono for streaming). */
export function sendError(
  res: ServerResponse,
  error: GatewayError,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(error);
  res.writeHead(error.status, {
    ...headers,
    ...error.headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
