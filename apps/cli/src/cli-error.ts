/**
 * One place that turns any failure into the line a person reads and the exit code a script reads, switching
 * on the gateway's stable error codes ("your session expired — run `rack-gateway login staging`").
 */

import { EXIT } from "./exit-codes.js";
import { GatewayApiError, GatewayConnectionError } from "./gateway-api.js";
import { printable } from "./printable.js";

/** An expected failure with its message and exit code; printed without a stack. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code: string = "ERROR",
  ) {
    super(message);
  }
}

/** Who we were talking as, to say what to do next. */
export interface FailureContext {
  alias: string | null;
  gatewayUrl: string | null;
  /** `config` (a signed-in session) or `env` (RACK_GATEWAY_API_TOKEN). */
  source: "config" | "env" | null;
}

interface ErrorShape {
  status: number;
  code: string;
  message: string;
}

/** The gateway's `{ error, code }` from a GatewayApiError or a rack-proxy answer (ConvoxHttpError-like). */
function readShape(error: unknown): ErrorShape | null {
  if (error instanceof GatewayApiError)
    return { status: error.status, code: error.code, message: printable(error.message) };
  const candidate = error as { name?: unknown; status?: unknown; body?: unknown } | null;
  if (candidate?.name === "ConvoxHttpError" && typeof candidate.status === "number") {
    let body: { error?: unknown; code?: unknown } | null = null;
    try {
      body = JSON.parse(String(candidate.body));
    } catch {
      body = null;
    }
    const message =
      typeof body?.error === "string"
        ? body.error
        : String(candidate.body).trim() || `status ${candidate.status}`;
    const code = typeof body?.code === "string" ? body.code : `HTTP_${candidate.status}`;
    return { status: candidate.status, code, message: printable(message) };
  }
  return null;
}

function signInAgain(context: FailureContext): string {
  if (context.source === "env") {
    return "RACK_GATEWAY_API_TOKEN was refused (revoked, expired or mistyped) — ask an admin for a new token";
  }
  const alias = context.alias ?? "<alias>";
  return `your session for ${alias} expired or was revoked — run \`rack-gateway login ${alias}${
    context.gatewayUrl ? ` ${context.gatewayUrl}` : ""
  }\``;
}

/** Maps anything thrown by a command to `{ message, exitCode, code }`. */
export function describeFailure(
  error: unknown,
  context: FailureContext,
): { message: string; exitCode: number; code: string } {
  if (error instanceof CliError)
    return { message: error.message, exitCode: error.exitCode, code: error.code };
  const shape = readShape(error);
  if (shape) {
    const { code, message } = shape;
    switch (code) {
      case "INVALID_AUTHENTICATION":
        return { code, exitCode: EXIT.AUTH, message: signInAgain(context) };
      case "ACCOUNT_LOCKED":
        return { code, exitCode: EXIT.AUTH, message: `${message} — ask an admin to unlock your account` };
      case "FORBIDDEN":
      case "PROTECTED_ENV_VAR":
        return {
          code,
          exitCode: EXIT.FORBIDDEN,
          message: `permission denied: ${message.replace(/^forbidden: /, "")}`,
        };
      case "CSRF_REJECTED":
        return { code, exitCode: EXIT.FORBIDDEN, message };
      case "UNKNOWN_ROUTE":
        return {
          code,
          exitCode: EXIT.FORBIDDEN,
          message: `the gateway does not allow this rack call: ${message}`,
        };
      case "NOT_FOUND":
        return { code, exitCode: EXIT.NOT_FOUND, message };
      case "RACK_UNAVAILABLE":
      case "RACK_TIMEOUT":
        return {
          code,
          exitCode: EXIT.UNAVAILABLE,
          message: `${message} — the gateway cannot reach the rack; retry, or ask an admin to check /api/v1/health/ready`,
        };
      case "AUDIT_UNAVAILABLE":
        return {
          code,
          exitCode: EXIT.UNAVAILABLE,
          message: `${message} — the gateway cannot write its audit log, so it changed nothing; retry later`,
        };
      case "RATE_LIMITED":
        return {
          code,
          exitCode: EXIT.RATE_LIMITED,
          message: `${message} — too many failed attempts; wait a minute`,
        };
      case "SIGN_IN_NOT_CONFIGURED":
        return {
          code,
          exitCode: EXIT.ERROR,
          message: `${message} — the gateway has no identity provider configured`,
        };
      default: {
        const exitCode =
          shape.status === 401
            ? EXIT.AUTH
            : shape.status === 403
              ? EXIT.FORBIDDEN
              : shape.status === 404
                ? EXIT.NOT_FOUND
                : EXIT.ERROR;
        return { code, exitCode, message: exitCode === EXIT.AUTH ? signInAgain(context) : message };
      }
    }
  }
  if (error instanceof GatewayConnectionError) {
    const cause = (error.cause as Error | undefined)?.cause as { code?: string } | undefined;
    return {
      code: "GATEWAY_UNREACHABLE",
      exitCode: EXIT.UNAVAILABLE,
      message: `cannot reach the gateway at ${error.url}${cause?.code ? ` (${cause.code})` : ""} — check the URL and your network`,
    };
  }
  const named = error as { name?: string; message?: string; streamMessage?: string; url?: string } | null;
  if (named?.name === "ConvoxConnectionError") {
    return {
      code: "GATEWAY_UNREACHABLE",
      exitCode: EXIT.UNAVAILABLE,
      message: `lost the connection to the gateway (${named.message ?? "connection error"})`,
    };
  }
  if (named?.name === "ConvoxStreamError") {
    return {
      code: "STREAM_ERROR",
      exitCode: EXIT.ERROR,
      message: printable(named.streamMessage ?? named.message ?? "error"),
    };
  }
  if (named?.name === "ConfigFileError") {
    return { code: "CONFIG_INVALID", exitCode: EXIT.ERROR, message: named.message ?? "config file error" };
  }
  return { code: "ERROR", exitCode: EXIT.ERROR, message: named?.message ?? String(error) };
}
